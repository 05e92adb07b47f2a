import boto3
import mlflow


def get_or_create_experiment(name: str):
    experiment = mlflow.get_experiment_by_name(name)
    return experiment.experiment_id if experiment else mlflow.create_experiment(name)


def get_s3_client(endpoint_url: str, access_key: str, secret_key: str):
    return boto3.client("s3", endpoint_url=endpoint_url, aws_access_key_id=access_key,
                        aws_secret_access_key=secret_key)
