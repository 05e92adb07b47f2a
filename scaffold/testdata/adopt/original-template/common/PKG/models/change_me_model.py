def get_model():
    """Build the model."""
    return None
