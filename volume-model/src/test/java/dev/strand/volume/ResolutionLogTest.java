package dev.strand.volume;

import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.SetAttr;
import dev.strand.replication.VersionVector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A replica's resolution log, as its event handler builds it from the events a replica persists. */
class ResolutionLogTest {

    private final ModelVolume model = new ModelVolume(3, 0, ResolutionLog.DEFAULT_LIMIT);

    /** The mutation events of the model so far (each one an operation in a replicated volume). */
    private List<VolumeEvent> mutationEvents() {
        List<VolumeEvent> mutations = new ArrayList<>();
        for (int i = 1; i < model.events.size(); i++) {
            if (model.events.get(i) instanceof VolumeEvent.OperationRecorded) {
                mutations.add(model.events.get(i - 1));
            }
        }
        return mutations;
    }

    private List<Long> loggedOps() {
        return model.volume.resolutionLog().entries().stream().map(ResolutionLog.Entry::opId).toList();
    }

    private static VolumeEvent.Cop2Applied cop2(long opId, List<Integer> otherSlots) {
        return new VolumeEvent.Cop2Applied(opId, otherSlots, List.of());
    }

    /** Directories, files, contents, a rename and a removal: every kind of entry a log holds. */
    private List<Long> populate() {
        List<Long> ops = new ArrayList<>();
        Fid dir = model.dir(model.root(), "d").fid();
        ops.add(model.lastOpId());
        Fid file = model.file(dir, "f").fid();
        ops.add(model.lastOpId());
        model.commitStore(file, UUID.randomUUID(), 300);
        ops.add(model.lastOpId());
        model.execute(new SetAttr(file, 0600, 200L, null));
        ops.add(model.lastOpId());
        model.execute(new Rename(dir, "f", model.root(), "g"));
        ops.add(model.lastOpId());
        model.symlink(model.root(), "l", "g");
        ops.add(model.lastOpId());
        model.execute(new Remove(model.root(), "l"));
        ops.add(model.lastOpId());
        return ops;
    }

    @Test
    void everyReplicatedOperationIsLoggedWithItsIdAndItsEventInArrivalOrder() {
        List<Long> ops = populate();

        assertThat(loggedOps()).containsExactlyElementsOf(ops);
        assertThat(model.volume.resolutionLog().entries()).extracting(ResolutionLog.Entry::event)
                .containsExactlyElementsOf(mutationEvents());
        assertThat(model.volume.resolutionLog().overflowed()).isFalse();
    }

    @Test
    void aVolumeOfOneReplicaLogsNothing() {
        ModelVolume single = new ModelVolume();
        single.file(single.root(), "f");
        single.dir(single.root(), "d");

        assertThat(single.volume.resolutionLog().size()).isZero();
    }

    @Test
    void aMutationPersistedWithoutAnOperationIsNotLogged() {
        // a mutation the coordinator did not send (no COP1, so no operation id): nothing resolution could name
        model.file(model.root(), "first");
        VolumeEvent unreplicated = new VolumeEvent.DirectoryCreated(new Origin("c", 99, "anonymous", 5),
                model.root(), "direct", model.volume.nextFid(), 0755,
                model.volume.nextVersion(model.volume.root()), model.volume.firstVersion());
        model.apply(unreplicated);
        model.apply(cop2(12345, List.of(1, 2)));

        assertThat(loggedOps()).containsExactly(model.lastOpId());
    }

    @Test
    void aCop2ThatCoversEveryReplicaDropsTheEntryAndAPartialOneKeepsIt() {
        model.file(model.root(), "everywhere");
        long everywhere = model.lastOpId();
        model.file(model.root(), "on-two");
        long onTwo = model.lastOpId();

        model.apply(cop2(everywhere, List.of(1, 2)));
        model.apply(cop2(onTwo, List.of(2))); // replica 1 missed it

        assertThat(loggedOps()).containsExactly(onTwo);
    }

    @Test
    void anExpiredCop2KeepsItsEntryForResolution() {
        model.file(model.root(), "f");
        long op = model.lastOpId();

        model.apply(new VolumeEvent.Cop2Expired(List.of(op)));

        assertThat(model.volume.pendingCop2().pending(op)).isNull();
        assertThat(loggedOps()).containsExactly(op);
    }

    @Test
    void truncationDropsTheNamedEntriesOnly() {
        List<Long> ops = populate();

        model.apply(new VolumeEvent.ResolutionLogTruncated(List.of(ops.get(0), ops.get(2), 777L)));

        assertThat(loggedOps()).containsExactlyElementsOf(
                ops.stream().filter(op -> !op.equals(ops.get(0)) && !op.equals(ops.get(2))).toList());
    }

    @Test
    void theLogKeepsItsLimitAndSaysFromWhereItIsIncomplete() {
        ModelVolume bounded = new ModelVolume(2, 1, 3);
        List<Long> ops = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            bounded.file(bounded.root(), "f" + i);
            ops.add(bounded.lastOpId());
        }

        ResolutionLog log = bounded.volume.resolutionLog();
        assertThat(log.entries()).extracting(ResolutionLog.Entry::opId).containsExactlyElementsOf(ops.subList(2, 5));
        assertThat(log.overflowed()).isTrue();
        assertThat(log.newestDroppedOpId()).isEqualTo(ops.get(1));
    }

    @Test
    void catchingUpEmptiesTheLog() {
        ModelVolume bounded = new ModelVolume(2, 1, 1);
        bounded.file(bounded.root(), "a");
        bounded.file(bounded.root(), "b");
        assertThat(bounded.volume.resolutionLog().overflowed()).isTrue();

        bounded.apply(new VolumeEvent.CaughtUp(0, bounded.volume.versionVector(), bounded.volume.nextVnodeNumber(),
                bounded.volume.nextUniquifier()));

        assertThat(bounded.volume.resolutionLog().size()).isZero();
        assertThat(bounded.volume.resolutionLog().overflowed()).isFalse();
    }

    @Test
    void aRoundOfAFullComparisonMarksTheLogOverflowedUntilTheLastRoundCatchesUp() {
        populate();
        assertThat(model.volume.resolutionLog().overflowed()).isFalse();

        model.apply(new VolumeEvent.ComparisonRoundPerformed(3));
        assertThat(model.volume.resolutionLog().overflowed()).as("a retry must compare fully again").isTrue();
        assertThat(model.volume.resolutionLog().size()).as("the entries stay").isEqualTo(7);

        model.apply(new VolumeEvent.CaughtUp(0, model.volume.versionVector(), model.volume.nextVnodeNumber(),
                model.volume.nextUniquifier()));
        assertThat(model.volume.resolutionLog().overflowed()).isFalse();
    }

    @Test
    void aRestoredVolumeHasTheSameLog() {
        populate();
        ModelVolume bounded = new ModelVolume(2, 0, 2);
        for (int i = 0; i < 4; i++) {
            bounded.file(bounded.root(), "f" + i);
        }

        for (ModelVolume m : List.of(model, bounded)) {
            Volume restored = Volume.fromSnapshot(m.volume.toSnapshotWithRecentRequests(),
                    m.volume.resolutionLog().limit());
            assertThat(restored.resolutionLog().snapshot()).isEqualTo(m.volume.resolutionLog().snapshot());
        }
    }

    @Test
    void replayingTheJournalRebuildsWhatASnapshotRestores() {
        List<Long> ops = populate();
        model.apply(cop2(ops.get(1), List.of(1, 2)));
        int snapshotAfter = model.events.size();
        RecentRequests.Snapshot snapshot = model.volume.toSnapshotWithRecentRequests();
        model.file(model.root(), "after");
        model.apply(cop2(ops.get(3), List.of(1)));
        model.apply(new VolumeEvent.ResolutionLogTruncated(List.of(ops.get(0))));

        Volume replayed = Volume.uninitialized();
        for (VolumeEvent event : model.events) {
            replayed = replayed.apply(event);
        }
        Volume restored = Volume.fromSnapshot(snapshot);
        for (VolumeEvent event : model.events.subList(snapshotAfter, model.events.size())) {
            restored = restored.apply(event);
        }

        assertThat(restored.resolutionLog().snapshot()).isEqualTo(replayed.resolutionLog().snapshot());
        assertThat(restored.toSnapshot()).isEqualTo(replayed.toSnapshot());
        assertThat(replayed.resolutionLog().size()).isEqualTo(ops.size() - 2 + 1);
    }

    @Test
    void aSnapshotFromBeforeTheLogReadsAsAnEmptyLog() {
        VolumeSnapshot old = new VolumeSnapshot(true, 7, "v", 1, 0, 3, 2, 2, VersionVector.ofSize(3), List.of(),
                null);

        assertThat(Volume.fromSnapshot(old).resolutionLog().size()).isZero();
        assertThat(old.resolutionLog().entries()).isEmpty();
    }

    @Test
    void aSnapshotLargerThanTheLimitKeepsItsNewestEntriesAndSaysSo() {
        List<Long> ops = populate();
        Volume smaller = Volume.fromSnapshot(model.volume.toSnapshot(), 2);

        assertThat(smaller.resolutionLog().entries()).extracting(ResolutionLog.Entry::opId)
                .containsExactlyElementsOf(ops.subList(ops.size() - 2, ops.size()));
        assertThat(smaller.resolutionLog().newestDroppedOpId()).isEqualTo(ops.get(ops.size() - 3));
    }
}
