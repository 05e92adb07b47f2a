from typing import Any

from {{package_name}}.dataloader.change_me_data import load_raw_data


def clean_data(data: Any):
    return data


def feature_engineering(data: Any):
    return data


def save_data(data: Any, path: str):
    print("saving data to", path)


def preprocess(path: str, **kwargs):
    """Load, clean and store the data; say where it went."""
    print("preprocess kwargs:", kwargs)
    data = feature_engineering(clean_data(load_raw_data(path)))
    path = "path/to/store/your/preprocessed/file"
    save_data(data, path)
    return {"preprocessed_path": path, "bucket_name": "my-bucket"}
