def postprocess(data):
    return data
