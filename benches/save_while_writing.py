"""How long a write waits while a CustomerBook is being saved (README, "Threads and fork").

Run: .venv/bin/python benches/save_while_writing.py  (a 200,000-customer sample book)
"""
import sys, tempfile, threading, time, os
import crm
book, end, _ = crm.sample_book(200_000, seed=1)
print("customers", len(book), "events", book.event_count)
d = tempfile.mkdtemp()
path = os.path.join(d, "b.json")
t0 = time.perf_counter(); book.save(path); full = time.perf_counter() - t0
print(f"save alone: {full:.2f} s, {os.path.getsize(path)/1e6:.0f} MB")
# The longest a write waits while a save runs.
started = threading.Event(); waits = []
def save():
    started.set(); book.save(path)
th = threading.Thread(target=save); th.start(); started.wait()
i = 50_000_000
t_start = time.perf_counter()
while th.is_alive():
    t = time.perf_counter(); book.add_customer(id=i, given_name="Can", family_name="Kaya"); waits.append(time.perf_counter() - t); i += 1
th.join()
print(f"during a save of {time.perf_counter()-t_start:.2f} s: {len(waits)} writes, longest wait {max(waits)*1000:.0f} ms, median {sorted(waits)[len(waits)//2]*1000:.2f} ms")
