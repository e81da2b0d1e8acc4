"""Tiny randomly initialised speech encoders saved as checkpoint folders.

Every architecture SpeechEncoderEmbeddings supports, built from a config with
a few units per layer, so that each code path runs in CI without weights.
"""

from pathlib import Path

#: Conv front end of the waveform encoders: 20-sample receptive field.
_CONV = dict(conv_dim=(8, 8), conv_stride=(5, 2), conv_kernel=(10, 3))
_TRANSFORMER = dict(
    hidden_size=16,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=32,
    num_conv_pos_embeddings=16,
    num_conv_pos_embedding_groups=2,
)
WAVEFORM_KINDS = ("wav2vec2", "hubert", "wavlm", "data2vec-audio")
KINDS = (*WAVEFORM_KINDS, "whisper")


def save_tiny_encoder(kind: str, folder: Path, seed: int = 0, **conv) -> Path:
    """Write a tiny random ``kind`` encoder and its front end into ``folder``.

    ``conv`` overrides the waveform encoders' ``conv_dim``, ``conv_stride``
    and ``conv_kernel``.
    """
    import torch
    import transformers

    torch.manual_seed(seed)
    if kind == "whisper":
        config = transformers.WhisperConfig(
            d_model=16,
            encoder_layers=2,
            decoder_layers=1,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=32,
            decoder_ffn_dim=32,
            num_mel_bins=80,
        )
        model = transformers.WhisperModel(config)
        extractor = transformers.WhisperFeatureExtractor()
    elif kind == "bert":  # a text model: no audio front end
        config = transformers.BertConfig(
            hidden_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=32,
        )
        model = transformers.BertModel(config)
        extractor = None
    else:
        config_class, model_class = {
            "wav2vec2": (transformers.Wav2Vec2Config, transformers.Wav2Vec2Model),
            "hubert": (transformers.HubertConfig, transformers.HubertModel),
            "wavlm": (transformers.WavLMConfig, transformers.WavLMModel),
            "data2vec-audio": (
                transformers.Data2VecAudioConfig,
                transformers.Data2VecAudioModel,
            ),
        }[kind]
        config = config_class(**{**_CONV, **conv}, **_TRANSFORMER)
        model = model_class(config)
        extractor = transformers.Wav2Vec2FeatureExtractor(
            sampling_rate=16000, do_normalize=True, return_attention_mask=False
        )
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    if extractor is not None:
        extractor.save_pretrained(folder)
    return folder
