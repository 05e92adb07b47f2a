import numpy as np
from tensorflow.keras.datasets import mnist  # noqa: F401


def load_raw_data():
    return np.zeros((1, 28, 28)), np.zeros(1)
