# The Airflow runtime image of the gaiaflow project {{.Project}}, written by gaiaflow {{.GaiaflowVersion}}.
# gaiaflow rebuilds it when one of its inputs changes: this file, the Airflow
# image, the project's dependencies or the gaiaflow library. All but the
# project's own layout are in the dependency image it starts from, which
# projects with the same dependencies share.
FROM {{.DepsImage}}

# The project's package by path: the stack mounts the project at
# {{.ProjectDir}}, so tasks run the code as it is on disk, without a rebuild.
USER root
RUN {{.TaskVenv}}/bin/python -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()['purelib'], 'gaiaflow-project.pth').write_text('{{.SourceRoot}}\n')"
{{- if .User}}
USER {{.User}}
{{- end}}
