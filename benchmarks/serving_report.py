"""The serving benchmark's printout: the loads side by side, the targets, the client's limit and the soak."""

import statistics

from serving_soak import BAD_EVERY, SOAK_CONCURRENCY

MLFLOW_RATIO, BARE_SHARE, P99_LIMIT_MS, GROWTH_LIMIT = 100.0, 0.5, 10.0, 10.0
BUSY = 0.9  # a one-process Python client using this much of a core is near its limit


def verdict(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def table(runs: dict) -> None:
    row = "{:>3}  {:<14} {:>9} {:>7} {:>9} {:>8} {:>8} {:>7} {:>7} {:>5}"
    print(row.format("c", "server", "requests", "errors", "req/s", "p50 ms", "p99 ms", "server", "client", "load"))
    for (name, c), result in sorted(runs.items(), key=lambda item: item[0][1]):
        p50, p99 = (f"{result[key]:.2f}" if result[key] is not None else "-" for key in ("p50_ms", "p99_ms"))
        cpu = (f"{result[key]:.2f}" for key in ("server_cpu", "client_cpu"))
        figures = (result["requests"], result["errors"], f"{result['throughput']:.1f}", p50, p99)
        print(row.format(c, name, *figures, *cpu, f"{result['load_average']:.1f}"))
    print("server, client: CPU in cores (1.00 = one core busy); client load_async.py unless marked threads (load.py)")
    print("load: the machine's load average of the last minute at the end of the load, which counts it")


def targets(runs: dict, concurrencies: tuple) -> None:
    def ratio(over: str, c: int) -> float:
        return runs["ours", c]["throughput"] / max(runs[over, c]["throughput"], 1e-9)

    first = concurrencies[0]
    line = "{:<34}" + " {:>10}" * len(concurrencies) + "   {:<22} {}"
    print(line.format("", *(f"c={c}" for c in concurrencies), f"target at c={first}", "result"))
    mlflow, bare = ([ratio(over, c) for c in concurrencies] for over in ("MLflow", "bare"))
    print(line.format("ours / MLflow, req/s", *(f"{x:.1f} x" for x in mlflow), f">= {MLFLOW_RATIO:g} x",
                      verdict(mlflow[0] >= MLFLOW_RATIO)))  # fmt: skip
    print(line.format("ours / bare app, req/s", *(f"{x:.2f} x" for x in bare), f">= {BARE_SHARE:g} x",
                      verdict(bare[0] >= BARE_SHARE)))  # fmt: skip
    p99 = [runs["ours", c]["p99_ms"] for c in concurrencies]
    print(line.format("p99 of ours", *(f"{x:.2f} ms" for x in p99), f"< {P99_LIMIT_MS:g} ms",
                      verdict(p99[0] < P99_LIMIT_MS)))  # fmt: skip
    lean = [runs["bare", c]["throughput"] / max(runs["bare, threads", c]["throughput"], 1e-9) for c in concurrencies]
    share = [ratio("FastAPI", c) for c in concurrencies]
    print(line.format("ours / FastAPI constant, req/s", *(f"{x:.2f} x" for x in share), "-", "-"))
    print(line.format("bare app, load_async / load.py", *(f"{x:.1f} x" for x in lean), "-", "-"))


def client_notes(runs: dict, concurrencies: tuple) -> None:
    for client, name in (("bare, threads", "load.py (threads)"), ("bare", "load_async.py")):
        for c in concurrencies:
            result = runs[client, c]
            if result["client_cpu"] >= BUSY:
                limit = "the client is the limit"
            elif result["server_cpu"] >= BUSY:
                limit = "the server is the limit"
            else:
                limit = "neither keeps a core busy: round trips, or other work on the machine, set the pace"
            print(f"{name} at c={c} drives the bare app at {result['throughput']:.0f} req/s using "
                  f"{result['client_cpu']:.2f} of a core: {limit}")  # fmt: skip


def soak_report(result: dict, samples: list[float], seconds: float) -> None:
    print(f"\nsoak of ours, {seconds:g} s at concurrency {SOAK_CONCURRENCY} from load.py, "
          f"clients 0 and {BAD_EVERY} sending bad values")  # fmt: skip
    print(f"  valid      {result['requests']} requests ({result['throughput']:.1f} req/s), p99 {result['p99_ms']} ms")
    print(f"  refused    {result['errors']} valid requests   target 0: {verdict(result['errors'] == 0)}")
    print(f"  bad        {sum(result['bad'].values())} requests, answered {result['bad']}")
    if len(samples) < 5:
        print(f"  RSS        {len(samples)} samples, too few to judge")
        return
    start, end = statistics.mean(samples[:5]), statistics.mean(samples[-5:])
    growth = (end - start) / start * 100
    print(f"  RSS start  {start:.1f} MB (mean of the first 5 of {len(samples)} samples, one a second)")
    print(f"  RSS end    {end:.1f} MB (mean of the last 5)")
    print(f"  growth     {growth:+.1f} %   target < {GROWTH_LIMIT:.0f} %: {verdict(growth < GROWTH_LIMIT)}")


def report(results: dict, concurrencies: tuple, soak_seconds: float) -> None:
    print("load average before the loads: " + ", ".join(f"{value:.2f}" for value in results["load"]))
    implementation = results["implementation"]
    print(f'ours answers with implementation "{implementation}" (GET /version): {verdict(implementation == "onnx")}\n')
    table(results["runs"])
    print()
    targets(results["runs"], concurrencies)
    print()
    client_notes(results["runs"], concurrencies)
    soak_report(results["soak"], results["rss"], soak_seconds)
