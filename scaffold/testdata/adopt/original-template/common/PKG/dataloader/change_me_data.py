def load_raw_data(path: str):
    """Load the raw data set."""
    print("raw data from", path)


def load_preprocessed_data(path: str, bucket: str):
    """Load the preprocessed data set: (train, test)."""
    print(f"preprocessed data from {path} in {bucket}")
    return "", ""
