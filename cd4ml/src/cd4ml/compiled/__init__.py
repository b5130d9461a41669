"""The model compiled to ONNX: conversion (convert), running it (runtime), proving it answers as the
scikit-learn model does (parity), and the model.onnx of an exported folder (folder)."""
