module github.com/gaiaflow/gaiaflow

go 1.26
