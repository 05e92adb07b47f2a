import numpy as np


def example_postprocess(predictions):
    return np.argmax(predictions, axis=-1)
