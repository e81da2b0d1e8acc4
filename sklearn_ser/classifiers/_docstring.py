"""The parameters every deep classifier shares, inserted into its docstring."""

_SHARED_PARAMETERS = """\
    device : "auto", str, torch.device or None, default="auto"
        Where to train and predict. ``"auto"`` means CUDA when available,
        else CPU; the device used is ``device_``. A model trained on CUDA
        with ``"auto"`` unpickles onto the CPU of a machine without CUDA.
        On CUDA the training input is copied to the device once per fit
        when it takes at most a quarter of the free device memory,
        inference batches hold at least 1,024 clips (unless
        ``iterator_valid__batch_size`` is set) and cuDNN's autotuner is on.
    precision : {"auto", "float32", "bf16"}, default="auto"
        Autocast dtype of the forward pass: ``"auto"`` is bf16 on a CUDA
        device that supports it and float32 on the CPU (so CPU results are
        unchanged); ``"bf16"`` forces bf16 autocast, on the CPU too. Losses
        and probabilities are always computed in float32.
    weight_decay : float or None, default=None
        The optimiser's ``weight_decay`` (None: the optimiser's default). Use
        it with ``optimizer=torch.optim.AdamW`` for decoupled weight decay.
    momentum : float or None, default=None
        The optimiser's ``momentum``, passed only to optimisers that take one
        (SGD, RMSprop), so that ``optimizer`` can be switched to Adam or
        AdamW without unsetting it. None: the optimiser's default.
    lr_schedule : {"constant", "cosine", "onecycle"}, default="constant"
        Learning-rate schedule over all training batches (skorch's
        :class:`~skorch.callbacks.LRScheduler`, stepped every batch):
        ``"cosine"`` warms up linearly for a ``warmup`` share of the steps,
        then decays to zero along a half cosine; ``"onecycle"`` is torch's
        :class:`~torch.optim.lr_scheduler.OneCycleLR` with peak ``lr`` and
        ``pct_start=warmup``.
    warmup : float in [0, 1), default=0.0
        Share of the training steps spent warming up (``"cosine"``,
        ``"onecycle"``; the latter needs warmup > 0).
    label_smoothing : float in [0, 1), default=0.0
        Label smoothing of the cross-entropy.
    max_grad_norm : float or None, default=None
        Clip the gradients' global norm to this value before each step
        (skorch's :class:`~skorch.callbacks.GradientNormClipping`).
    time_mask, freq_mask : int, default=0
        SpecAugment-style masks, training only: each training example (each
        chunk or channel of it) gets one span of up to ``time_mask`` frames
        and one of up to ``freq_mask`` bands or coefficients set to the
        training mean. The axes are those of the input layout above; inputs
        without them (acoustic statistics) accept only 0, and a width larger
        than its axis is an error.
    mixup_alpha : float, default=0.0
        Mixup, training only: each batch is mixed with a permutation of
        itself with a Beta(alpha, alpha) weight, and the loss mixed alike.
        0 turns it off; a batch of one clip is left as it is.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, dropout, the shuffling of batches and
        the early-stopping split, leaving the caller's global torch random
        state untouched; None draws from torch's global random state. With
        an int, training on CPU is reproducible: the same seed gives
        identical predictions (CUDA kernels may not be deterministic).
    class_weight : dict, "balanced" or None, default=None
        Weights of the cross-entropy per class, keyed by label; "balanced"
        weighs classes inversely to their frequency in the training labels
        (see :func:`sklearn.utils.class_weight.compute_class_weight`).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        loss has not improved for ``patience`` epochs and keep the best
        weights. The split is stratified by label, or holds out whole groups
        when :meth:`fit` receives ``groups`` (speaker-independent).
    validation_fraction : float, default=0.1
        Share of the training data (or of the groups) held out for early
        stopping.
    patience : int, default=10
        Epochs without improvement of the validation loss before stopping.
    verbose : int, default=1
        1 prints skorch's table of each epoch as it ends (epoch, training
        loss, validation loss and accuracy with early stopping, seconds), so
        that a long fit shows its progress; 0 trains quietly.
        :func:`~sklearn_ser.benchmark.run_benchmark` trains its copies with
        0 and shows a progress bar instead.
    **kwargs
        Any other :class:`skorch.classifier.NeuralNetClassifier` parameter,
        e.g. ``module__*`` (the architecture's parameters, except
        ``input_shape`` and ``n_classes``, which ``fit`` sets),
        ``optimizer__*``, ``callbacks``, ``warm_start`` or ``classes`` (all
        labels, when the training labels may lack some). ``train_split``
        defaults to None (no validation split unless ``early_stopping``) and
        ``iterator_train__shuffle`` to True.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Labels seen during fit.
    input_shape_ : tuple of int
        Shape of one training sample.
    n_features_in_ : int
        Size of the second axis of ``X``.
    device_ : str or None
        Device the network was trained on.
    scaler_ : sklearn.preprocessing.StandardScaler
        Per-feature statistics used to standardise the input.
    label_encoder_ : sklearn.preprocessing.LabelEncoder
        Maps labels to the network's output units.
    class_weight_ : ndarray of shape (n_classes,) or None
        Weights of the loss per class.
    module_ : torch.nn.Sequential
        ``standardize`` (the fitted scaling) followed by ``network`` (the
        architecture).
    history_ : skorch.history.History
        Per-epoch training record (``train_loss``, ``valid_loss``,
        ``valid_acc`` with early stopping, ``dur``); also ``history``.
"""


def _with_shared_parameters(cls):
    """Insert the parameters every deep classifier shares into its docstring."""
    cls.__doc__ = cls.__doc__.replace("    {shared_parameters}\n", _SHARED_PARAMETERS)
    return cls
