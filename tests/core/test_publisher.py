"""core/publisher.py: the timeline's state, described anew only when the archive or the replay
changed, always equals the archive's own description (kept, thinned, rolled back, replayed)."""
import numpy as np
import torch

from core.models import make_model
from core.publisher import Publisher
from core.rewind import Frozen, InitArchive, Kept, Rewind
from core.snapshots import SnapshotParts
from core.tasks import get_family


def kept(iteration: int) -> Kept:
    return Kept(iteration, {"meta": Frozen("maml", {"w": np.full(10, float(iteration), np.float32)}, None)})


def same(a, b) -> bool:
    return (np.array_equal(a.kept, b.kept) and (a.latest, a.showing, a.nbytes, a.bound_bytes)
            == (b.latest, b.showing, b.nbytes, b.bound_bytes) and a.params.keys() == b.params.keys()
            and all(np.array_equal(a.params[k], b.params[k]) for k in a.params))


def test_the_timelines_state_follows_every_change_of_the_archive_and_the_replay():
    fam = get_family("sinusoid")
    publisher = Publisher(SnapshotParts(make_model("mlp", fam), fam, torch.device("cpu")))
    rewind = Rewind(None, torch.device("cpu"), InitArchive(budget=8 * 40, every=10))  # 8 entries, then thinned
    checked, it = 0, 0

    def check():
        nonlocal checked
        got, want = publisher.rewind_state(rewind, it), rewind.state(it)
        assert same(got, want), (it, got, want)
        checked += 1

    check()
    for it in range(0, 400, 7):  # kept, thinned (every doubles), and unchanged between slots
        if rewind.archive.due(it):
            rewind.archive.keep(kept(it))
        check()
    assert rewind.archive.every > 10, "the test needs the slots to have been thinned"
    before = len(rewind.archive.entries)
    rewind.forget_after(200)  # a rollback, then training on past it again
    assert len(rewind.archive.entries) < before
    for it in range(200, 320, 7):
        if rewind.archive.due(it):
            rewind.archive.keep(kept(it))
        check()
    for entry in (rewind.archive.entries[1], rewind.archive.entries[3], None):  # the timeline replays, then live
        rewind.showing = entry
        check()
        it += 1
        check()
    # a rebuilt trainer's new rewind, and one whose archive is swapped in (a fall-back to the CPU
    # keeps the old archive): each described as it is, whatever the objects' addresses
    old_iterations = rewind.archive.iterations()
    rewind = Rewind(None, torch.device("cpu"), InitArchive(budget=8 * 40, every=10))
    check()
    rewind.archive.keep(kept(0))
    check()
    rewind.archive = InitArchive(budget=8 * 40, every=10)
    for i in old_iterations:
        rewind.archive.keep(kept(int(i)))
    check()
    assert checked > 80
