"""The writer lock belongs to the run's process alone: a child it forks (a parse budget's
child, a process-pool worker) does not keep it, so a child that outlives a killed run does
not make the next run 'busy'."""

from __future__ import annotations

import os

from flows.runlock import lock_holder, writer_lock


def test_a_forked_child_does_not_hold_the_writer_lock(home) -> None:
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    with writer_lock(home):
        child = os.fork()
        if child == 0:  # the child: say it is alive, then wait until told to exit
            os.close(ready_read)
            os.write(ready_write, b"x")
            os.read(go_read, 1)
            os._exit(0)
        os.read(ready_read, 1)
        assert lock_holder(home) == str(os.getpid())
    try:
        assert lock_holder(home) is None, "the child kept the writer lock"
    finally:
        os.write(go_write, b"x")
        os.waitpid(child, 0)
        for descriptor in (ready_read, ready_write, go_read, go_write):
            os.close(descriptor)
