package dev.strand.volume;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.SetAttr;
import dev.strand.protocol.message.Walk;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RESOLUTION: conflicts marked on a replica answer CONFLICT for what touches them, and nothing else. */
class ConflictMarkingTest {

    private final ModelVolume model = new ModelVolume(0, 2, "client-1");

    private ConflictRecord updateUpdate(Fid file, String path) {
        return new ConflictRecord("UPDATE_UPDATE", List.of(file), List.of(), List.of(path), List.of(0, 1),
                "both replicas changed it");
    }

    private static void assertConflict(Runnable request, String... mentions) {
        assertThatThrownBy(request::run).isInstanceOf(StrandException.class)
                .satisfies(e -> assertThat(((StrandException) e).status()).isEqualTo(Status.CONFLICT))
                .hasMessageContaining("UPDATE_UPDATE").hasMessageContaining("[0, 1]");
        for (String mention : mentions) {
            assertThatThrownBy(request::run).hasMessageContaining(mention);
        }
    }

    @Test
    void anObjectInConflictAnswersConflictToEveryReadAndMutationAndTheRestWorks() {
        Fid dir = model.dir(model.root(), "d").fid();
        Fid f = model.file(dir, "f").fid();
        Fid g = model.file(dir, "g").fid();

        model.apply(new VolumeEvent.ConflictsMarked(List.of(updateUpdate(f, "/d/f"))));

        assertThat(model.volume.conflicts().size()).isEqualTo(1);
        assertConflict(() -> model.attr(f), "/d/f");
        assertConflict(() -> model.execute(new Walk(model.root(), List.of("d", "f"))));
        assertConflict(() -> model.execute(new SetAttr(f, 0600, null, null)));
        assertConflict(() -> model.execute(new Remove(dir, "f")));
        assertConflict(() -> model.execute(new Rename(dir, "f", dir, "f2")));
        assertConflict(() -> model.execute(new Rename(dir, "g", dir, "f")), "f"); // would replace it
        assertConflict(() -> model.execute(new Create(dir, "f", 0644, false))); // O_CREAT opens it
        assertConflict(() -> model.commitStore(f, UUID.randomUUID(), 10));
        assertConflict(() -> VolumeReads.regularFile(model.volume, f));

        assertThat(model.attr(g).fid()).isEqualTo(g);
        assertThat(model.names(dir)).containsExactly("f", "g"); // its directory still lists it
        model.execute(new SetAttr(g, 0600, null, null));
        model.file(dir, "h");
        model.commitStore(g, UUID.randomUUID(), 5);
        assertThat(model.names(dir)).containsExactly("f", "g", "h");
    }

    @Test
    void aNameInConflictAnswersConflictToLookupsAndToCreatesOfThatName() {
        Fid dir = model.dir(model.root(), "d").fid();
        Fid mine = model.file(dir, "n").fid();
        ConflictRecord nameName = new ConflictRecord("NAME_NAME", List.of(mine), List.of(
                new ConflictRecord.Name(dir, "n")), List.of("/d/n", "/d/n"), List.of(0, 1), "created on both sides");
        model.apply(new VolumeEvent.ConflictsMarked(List.of(nameName)));

        assertThatThrownBy(() -> model.execute(new Walk(dir, List.of("n"))))
                .satisfies(e -> assertThat(((StrandException) e).status()).isEqualTo(Status.CONFLICT))
                .hasMessageContaining("NAME_NAME");
        assertThatThrownBy(() -> model.execute(new Remove(dir, "n")))
                .satisfies(e -> assertThat(((StrandException) e).status()).isEqualTo(Status.CONFLICT));
        assertThatThrownBy(() -> model.execute(new Create(dir, "n", 0644, true)))
                .satisfies(e -> assertThat(((StrandException) e).status()).isEqualTo(Status.CONFLICT));
        model.file(dir, "other");
        assertThat(model.names(dir)).containsExactly("n", "other");
    }

    @Test
    void repairedNamesEndTheConflictsOverThemAndOfTheirObjectsOnly() {
        Fid dir = model.dir(model.root(), "d").fid();
        model.file(dir, "n");
        Fid other = model.file(dir, "other").fid();
        Fid removed = model.file(dir, "r").fid();
        Fid f = model.file(model.root(), "f").fid();
        model.apply(new VolumeEvent.ConflictsMarked(List.of(
                new ConflictRecord("RENAME_RENAME", List.of(), List.of(new ConflictRecord.Name(dir, "n")),
                        List.of("/d/n"), List.of(0, 1), "moved both ways"),
                new ConflictRecord("REMOVE_UPDATE", List.of(removed), List.of(), List.of("/d/r"), List.of(0, 1),
                        "removed and changed"),
                new ConflictRecord("NAME_NAME", List.of(other), List.of(new ConflictRecord.Name(dir, "other")),
                        List.of("/d/other", "/d/other"), List.of(0, 1), "created on both sides"),
                updateUpdate(f, "/f"))));

        model.apply(new VolumeEvent.NamesRepaired(dir, List.of("n", "r"), List.of(removed)));

        assertThat(model.volume.conflicts().records()).extracting(ConflictRecord::kind)
                .containsExactly("NAME_NAME", "UPDATE_UPDATE");
        assertThat(model.execute(new Walk(dir, List.of("n")))).isNotNull();
        assertThat(model.attr(removed).fid()).isEqualTo(removed);
        assertThatThrownBy(() -> model.execute(new Walk(dir, List.of("other"))))
                .satisfies(e -> assertThat(((StrandException) e).status()).isEqualTo(Status.CONFLICT));
    }

    @Test
    void aRepairedConflictServesAgainAndMarkingTwiceKeepsOne() {
        Fid f = model.file(model.root(), "f").fid();
        Fid g = model.file(model.root(), "g").fid();
        model.apply(new VolumeEvent.ConflictsMarked(List.of(updateUpdate(f, "/f"), updateUpdate(g, "/g"))));
        model.apply(new VolumeEvent.ConflictsMarked(List.of(updateUpdate(f, "/f"))));
        assertThat(model.volume.conflicts().size()).isEqualTo(2);

        model.apply(new VolumeEvent.ConflictRepaired(f));

        assertThat(model.attr(f).fid()).isEqualTo(f);
        assertThat(model.volume.conflicts().records()).extracting(r -> r.objects().get(0)).containsExactly(g);
        assertConflict(() -> model.attr(g), "/g");

        // a conflict that names an object by a uniquifier resolution did not know is repaired by its vnode
        model.apply(new VolumeEvent.ConflictsMarked(List.of(updateUpdate(new Fid(g.volume(), g.vnode(), 0), "/g"))));
        model.apply(new VolumeEvent.ConflictRepaired(g));
        assertThat(model.volume.conflicts().isEmpty()).isTrue();
        assertThat(model.attr(g).fid()).isEqualTo(g);
    }

    @Test
    void conflictsTravelInTheSnapshotAndAnOldSnapshotHasNone() {
        Fid f = model.file(model.root(), "f").fid();
        model.apply(new VolumeEvent.ConflictsMarked(List.of(updateUpdate(f, "/f"))));

        Volume restored = Volume.fromSnapshot(model.volume.toSnapshot());

        assertThat(restored.conflicts().records()).isEqualTo(model.volume.conflicts().records());
        assertThat(restored.toSnapshot()).isEqualTo(model.volume.toSnapshot());
        assertThatThrownBy(() -> VolumeReads.answer(restored, new GetAttr(f)))
                .satisfies(e -> assertThat(((StrandException) e).status()).isEqualTo(Status.CONFLICT));

        VolumeSnapshot s = model.volume.toSnapshot();
        VolumeSnapshot old = new VolumeSnapshot(s.initialized(), s.volumeId(), s.volumeName(), s.createdMillis(),
                s.replicaIndex(), s.replicas(), s.nextVnode(), s.nextUnique(), s.versionVector(), s.vnodes(),
                s.pendingCop2(), s.resolutionLog(), null);
        assertThat(old.conflicts()).isEmpty();
        assertThat(Volume.fromSnapshot(old).conflicts().isEmpty()).isTrue();
        assertThat(VolumeReads.answer(Volume.fromSnapshot(old), new ReadDir(model.root(), null, 0, false)))
                .isNotNull();
    }

    @Test
    void catchingUpNeverCopiesOverAnObjectInConflict() {
        ModelVolume source = new ModelVolume(1, 2, "client-2");
        Fid f = model.file(model.root(), "f").fid();
        Fid g = model.file(model.root(), "g").fid();
        assertThat(source.file(source.root(), "f").fid()).isEqualTo(f);
        assertThat(source.file(source.root(), "g").fid()).isEqualTo(g);
        source.execute(new SetAttr(f, 0600, null, null));
        source.execute(new SetAttr(g, 0600, null, null));
        var summaries = VnodeSync.summaries(source.volume, 0, VnodeSync.SUMMARY_PAGE);
        assertThat(VnodeSync.compare(model.volume, 0, summaries, true).wanted()).contains(f.vnode(), g.vnode());

        model.apply(new VolumeEvent.ConflictsMarked(List.of(updateUpdate(f, "/f"))));

        VnodeSync.Differences differences = VnodeSync.compare(model.volume, 0, summaries, true);
        assertThat(differences.wanted()).contains(g.vnode()).doesNotContain(f.vnode());
        assertThat(differences.extra()).doesNotContain(f.vnode());
    }

    /** The source's object in conflict that the target never held (the other side's, under a name in conflict). */
    @Test
    void catchingUpCopiesAnObjectInConflictThatTheTargetLacks() {
        ModelVolume source = new ModelVolume(1, 2, "client-2");
        Fid theirs = source.file(source.root(), "n").fid();
        var summaries = VnodeSync.summaries(source.volume, 0, VnodeSync.SUMMARY_PAGE);
        model.apply(new VolumeEvent.ConflictsMarked(List.of(updateUpdate(theirs, "/n"))));

        VnodeSync.Differences differences = VnodeSync.compare(model.volume, 0, summaries, true);
        assertThat(differences.wanted()).contains(theirs.vnode());
    }
}
