// Package buildtest makes what gaiaflow's image tests need on a machine that
// reaches no container registry: a Python base image made from a debootstrap'd
// Debian and imported into the engine, a stand-in Airflow image on top of it,
// a stand-in of the gaiaflow library's wheel, and a small project.
//
// The images are cached on the engine by a tag derived from their recipe, so
// only the first run on a machine pays for them. Only tests import this
// package.
package buildtest
