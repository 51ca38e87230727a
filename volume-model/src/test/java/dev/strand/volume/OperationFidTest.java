package dev.strand.volume;

import dev.strand.cop2.OperationIds;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Symlink;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Fids of new objects in a replicated volume come from the operation, so replicas that diverged never share one. */
class OperationFidTest {

    private static final long OP = OperationIds.FIRST + 10;

    @Test
    void replicasThatEachApplyADifferentCreateAloneGiveDifferentFids() {
        ModelVolume a = new ModelVolume(0, 2, "client-a");
        ModelVolume b = new ModelVolume(1, 2, "client-b");
        Attr onA = (Attr) a.execute(new Create(a.root(), "from-a", 0644, true), OP);
        Attr onB = (Attr) b.execute(new Create(b.root(), "from-b", 0644, true), OP + 1);
        assertNotEquals(onA.fid(), onB.fid());
        // and neither meets what the other allocates next, from either operation or counters
        Attr nextOnB = (Attr) b.execute(new MkDir(b.root(), "dir-b", 0755), OP + 2);
        assertNotEquals(onA.fid(), nextOnB.fid());
        assertNotEquals(onA.fid(), b.file(b.root(), "counted").fid());
    }

    @Test
    void everyReplicaThatAppliesAnOperationGivesItsObjectTheSameFid() {
        ModelVolume a = new ModelVolume(0, 3, "client");
        ModelVolume c = new ModelVolume(2, 3, "client");
        a.execute(new Create(a.root(), "only-on-a", 0644, true), OP); // c missed this one
        Attr onA = (Attr) a.execute(new Symlink(a.root(), "link", "target"), OP + 1);
        Attr onC = (Attr) c.execute(new Symlink(c.root(), "link", "target"), OP + 1);
        assertEquals(onA.fid(), onC.fid());
        assertEquals(new Fid(ModelVolume.VOLUME_ID, OP + 1, Volume.OPERATION_UNIQUE), onA.fid());
    }

    @Test
    void aVolumeOfOneReplicaKeepsItsCounters() {
        ModelVolume single = new ModelVolume();
        Fid expected = single.volume.nextFid();
        Attr created = (Attr) single.execute(new Create(single.root(), "f", 0644, true), OP);
        assertEquals(expected, created.fid());
    }

    @Test
    void operationNumberedVnodesLeaveTheCountersWhereTheyWereAfterAReplay() {
        ModelVolume a = new ModelVolume(0, 2, "client");
        Fid counted = a.volume.nextFid();
        a.execute(new Create(a.root(), "f", 0644, true), OP);
        assertEquals(counted, a.volume.nextFid());
        Volume replayed = Volume.uninitialized();
        for (VolumeEvent e : a.events) {
            replayed = replayed.apply(e);
        }
        assertEquals(a.volume.nextFid(), replayed.nextFid());
        assertEquals(a.volume.fid(a.volume.vnode(a.volume.root().entry("f"))),
                replayed.fid(replayed.vnode(replayed.root().entry("f"))));
    }
}
