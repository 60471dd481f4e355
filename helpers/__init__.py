"""Descent's helpers: optimizers, loss surfaces, plots, widgets and data for the course notebooks.

Import the module you need (``from helpers import optim``); nothing here runs on import.
"""
