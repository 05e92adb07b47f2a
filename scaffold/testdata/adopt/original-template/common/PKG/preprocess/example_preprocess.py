import numpy as np
from dotenv import load_dotenv

from {{package_name}}.dataloader.example_data import load_raw_data

load_dotenv()


def preprocess_single_sample(sample):
    return np.expand_dims(sample / 255.0, -1)


def example_preprocess(dummy_arg: str, **kwargs):
    images, _ = load_raw_data()
    print(dummy_arg, preprocess_single_sample(images).shape)
    return {"preprocessed_path": "/tmp/mnist_processed.npz", "bucket_name": "mnist-data"}
