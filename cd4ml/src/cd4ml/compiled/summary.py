"""Whether what will be served answers as the trained model does, as the one line the run report
and the PR report show.

It reads an "onnx" entry: model.json's, or paths.parity, which evaluate writes for the model
that passed its gate. "yes" means model.onnx will be served and is proven on the test rows
(parity.compare); "no" gives the reason, and then scikit-learn itself answers.
"""

SUBJECT = "Served implementation matches the trained model"
DIFFERENCE = {"probabilities": "max |Δp|", "values": "max relative |Δ|"}


def line(entry: dict | None) -> str:
    """The sentence for entry, plain text (escape it where it goes)."""
    return f"{SUBJECT}: {verdict(entry)}"


def verdict(entry: dict | None) -> str:
    """The verdict alone: yes with the largest difference and the rows, no with the reason, or
    not proven yet (no entry)."""
    if not isinstance(entry, dict):
        return "not proven yet (evaluate proves it when a model passes its gate)"
    if not proven(entry):
        return f"no: {entry.get('reason') or 'no parity result'}"
    result = entry["parity"]
    name = DIFFERENCE.get(result.get("compared"), "max |Δ|")
    text = f"yes, {name} = {result['largest_difference']:.1g} on {result['rows']} rows"
    ties = result.get("ties") or 0
    if ties:
        text += f" ({ties} near-tied {'row' if ties == 1 else 'rows'} labelled the other way)"
    return text


def proven(entry: dict | None) -> bool:
    """Whether entry records parity that holds (and so model.onnx answers)."""
    result = entry.get("parity") if isinstance(entry, dict) else None
    return isinstance(result, dict) and bool(result.get("holds")) and not entry.get("reason")
