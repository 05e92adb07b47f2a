"""Calling the user's function: the one piece of code that every mode shares.

``run_call`` is copied *by source* into the script that ExternalPythonOperator runs in the
project's environment (dev mode), where gaiaflow itself may not be installed. It must therefore
stay self-contained: imports inside the function, no module-level names, no decorators, no
annotations that need imports. The runner (``python -m gaiaflow.runner``) imports and calls the
very same function inside task images, so a call behaves identically in every mode.
"""


def run_call(call_json):
    """Call the function that ``call_json`` describes and return its result as JSON text.

    ``call_json`` is a JSON object with ``func_path`` ("package.module:function"), ``args`` (a
    list), ``kwargs`` (an object) and, optionally, ``params`` (an object: the run's params).
    ``params`` is passed as the ``params`` keyword only to a function that accepts it: one with
    a ``params`` parameter that no positional argument already fills, or one with ``**kwargs``.
    An explicit ``params`` entry in ``kwargs`` always wins.

    The result goes back as JSON in every mode, so a downstream task receives the same types
    whether this ran in a local process, a container or a pod.
    """
    import importlib
    import inspect
    import json

    call = json.loads(call_json)
    func_path = call["func_path"]
    module_name, colon, attr_path = func_path.partition(":")
    if not colon or not module_name or not attr_path:
        raise ValueError(f"func_path {func_path!r} is not of the form 'package.module:function'")
    target = importlib.import_module(module_name)
    for attr in attr_path.split("."):
        target = getattr(target, attr)

    args = list(call.get("args", []))
    kwargs = dict(call.get("kwargs", {}))
    if "params" in call and "params" not in kwargs:
        try:
            parameters = inspect.signature(target).parameters
        except (TypeError, ValueError):
            parameters = {}
        kind = inspect.Parameter
        named = parameters.get("params")
        accepts = False
        if named is not None and named.kind == kind.KEYWORD_ONLY:
            accepts = True
        elif named is not None and named.kind == kind.POSITIONAL_OR_KEYWORD:
            # A positional argument may already fill the slot; passing it again would fail.
            accepts = list(parameters).index("params") >= len(args)
        elif any(p.kind == kind.VAR_KEYWORD for p in parameters.values()):
            accepts = True
        if accepts:
            kwargs["params"] = call["params"]

    result = target(*args, **kwargs)
    try:
        return json.dumps(result)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{func_path} returned a value gaiaflow cannot pass on ({err}). "
            "Return JSON values only: dicts with string keys, lists, strings, numbers, "
            "booleans or None."
        ) from None
