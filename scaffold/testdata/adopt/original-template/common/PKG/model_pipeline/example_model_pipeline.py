import mlflow


class ExampleModelPipeline(mlflow.pyfunc.PythonModel):
    def __init__(self, model):
        self.model = model
