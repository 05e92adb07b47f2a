from dotenv import load_dotenv


def predict(model_uri: str):
    load_dotenv()
    print("predicting with", model_uri)
