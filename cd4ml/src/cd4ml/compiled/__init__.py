"""The model compiled to ONNX: conversion (convert; LightGBM's models through lightgbm_trees),
running it (runtime), proving it answers as the scikit-learn model does (parity), writing
model.onnx at export (build) and loading it (folder)."""
