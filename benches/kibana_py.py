"""The kibana-py side of benches/vs_kibana_py.rs: the same tasks against the same mock.

usage: python kibana_py.py agents|export URL API_KEY
Prints `items=<n> seconds=<wall> peak_rss_kib=<peak>`.
"""
import resource
import sys
import time

from kibana import Kibana


def main():
    task, url, api_key = sys.argv[1], sys.argv[2], sys.argv[3]
    client = Kibana(hosts=[url], api_key=api_key, request_timeout=300)
    started = time.perf_counter()
    items = 0
    if task == "agents":
        page = 1
        while True:
            resp = client.fleet_agents.get_all(page=page, per_page=1000)
            batch = resp.body["items"]
            items += len(batch)
            if not batch or items >= resp.body["total"]:
                break
            page += 1
    elif task == "export":
        resp = client.saved_objects.export(type=["dashboard", "visualization"])
        body = resp.body
        items = sum(1 for line in body if "exportedCount" not in line)
    else:
        raise SystemExit(f"unknown task {task}")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"items={items} seconds={seconds:.3f} peak_rss_kib={peak}")


if __name__ == "__main__":
    main()
