# The package's functions, brought up to the top level for func_path="{{package_name}}:name".
from .postprocess.change_me_postprocess import postprocess  # noqa
from .predict.change_me_predict import predict  # noqa
from .preprocess.change_me_preprocess import preprocess  # noqa
from .train.change_me_train import train  # noqa
from .version import version as __version__
# examples:begin
from .postprocess.example_postprocess import example_postprocess  # noqa
from .predict.example_predict import example_predict  # noqa
from .preprocess.example_preprocess import example_preprocess, preprocess_single_sample  # noqa
from .train.example_train import example_train  # noqa
# examples:end

__all__ = ["__version__", "train", "preprocess", "postprocess", "predict"]
