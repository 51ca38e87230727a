package dev.strand.actors.compat;

import dev.strand.actors.volume.ObjectVersion;
import dev.strand.actors.volume.ConflictEntry;
import dev.strand.actors.volume.Cop2Update;
import dev.strand.actors.volume.Cop1;
import dev.strand.actors.volume.ReplicaVersion;
import dev.strand.actors.volume.ReplicaSummary;
import dev.strand.actors.registry.RegistryEvent;
import dev.strand.actors.registry.RegistryState;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.volume.Origin;
import dev.strand.volume.VnodeVersion;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.volume.VolumeSnapshot.EntryRecord;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.ReadLinkReply;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.RmDir;
import dev.strand.protocol.message.SetAttr;
import dev.strand.protocol.message.Symlink;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;
import dev.strand.replication.VersionVector;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The samples behind the golden files, by version folder and name: the one place both the writer and
 * {@link EventCompatibilityTest} build them, so that a golden file is read back as exactly the value it
 * was written from.
 *
 * <p>A version's samples are what today's code must read from that version's files. When a class gains a
 * component, its older samples get the value old data reads as (null, 0, false), not a new one: the
 * bytes on disk do not change. All values are fixed (no clocks, no random ids) and consistent with one
 * story: volume 7 "projects" with three replicas, seen by replica 1.
 */
final class CompatSamples {

    /** The version folder new golden files go to. */
    static final String NEWEST_VERSION = "v3";

    private CompatSamples() {}

    /** The samples of version folder {@code version}, by golden file name, in writing order. */
    static Map<String, Object> forVersion(String version, ActorSystem<?> system) {
        return switch (version) {
            case "v1" -> v1(system);
            case "v2" -> v2(system);
            case "v3" -> v3(system);
            default -> throw new IllegalArgumentException("no samples for golden file version " + version
                    + ": add them to " + CompatSamples.class.getName());
        };
    }

    // ---- the story --------------------------------------------------------------------------------

    private static final long VOLUME = 7;
    private static final String VOLUME_NAME = "projects";
    private static final int REPLICAS = 3;
    private static final int REPLICA_INDEX = 1;
    private static final long CREATED = 1_717_000_000_000L;
    private static final String OWNER = VolumeReplica.UNAUTHENTICATED_PRINCIPAL;

    private static final Fid ROOT = Fid.root(VOLUME);
    private static final Fid DOCS = new Fid(VOLUME, 2, 2);
    private static final Fid NOTES = new Fid(VOLUME, 3, 3);
    private static final Fid LATEST = new Fid(VOLUME, 4, 4);
    private static final Fid REPORT = new Fid(VOLUME, 5, 5);
    private static final Fid UP = new Fid(VOLUME, 6, 6);
    private static final Fid DRAFT = new Fid(VOLUME, 7, 7);

    private static final UUID NOTES_BLOB = UUID.fromString("0b7e8c2e-4a51-4f0e-9d33-6f1c2a9e5b01");
    private static final UUID OLD_NOTES_BLOB = UUID.fromString("5d2c1a90-7e3b-4c8d-a1f2-93b4e6d7c802");
    private static final UUID DRAFT_BLOB = UUID.fromString("c4a9f3d1-2b6e-4f70-8e15-0a7d9c3b1e03");

    private static Origin origin(long requestId, long timeMillis) {
        return new Origin("client-5f3a9c", requestId, OWNER, timeMillis);
    }

    private static VnodeVersion version(long dataVersion, long... counters) {
        return new VnodeVersion(dataVersion, vector(counters));
    }

    private static VersionVector vector(long... counters) {
        return VersionVector.fromList(Arrays.stream(counters).boxed().toList());
    }

    /** A reply-to reference of another node, as a remote replica or registry receives it. */
    private static <T> ActorRef<T> remoteRef(ActorSystem<?> system, String path) {
        return ActorRefResolver.get(system).resolveActorRef("pekko://" + CompatActorSystem.NAME
                + "@10.0.0.2:25520" + path);
    }

    private static Attr attr(Fid fid, FileType type, int mode, long size, int links, long time, long dataVersion,
                             long... counters) {
        return new Attr(fid, type, mode, size, links, OWNER, time, time, dataVersion,
                Arrays.stream(counters).boxed().toList());
    }

    // ---- version 1 --------------------------------------------------------------------------------

    private static Map<String, Object> v1(ActorSystem<?> system) {
        Samples s = new Samples();
        volumeEvents(s);
        s.add("volume-snapshot", volumeSnapshot());
        s.add("volume-snapshot.with-recent-requests", new dev.strand.volume.RecentRequests.Snapshot(
                volumeSnapshot(), List.of(
                        new dev.strand.volume.RecentRequests.Entry("client-5f3a9c", 25, CREATED + 25_000,
                                NOTES, null, null),
                        new dev.strand.volume.RecentRequests.Entry("client-5f3a9c", 26, CREATED + 26_000,
                                null, Status.EXISTS, "'docs' exists in directory 7.1.1"))));
        registryEvents(s);
        replicaMessages(s, system);
        registryMessages(s, system);
        catchUp(s, system);
        return s.all();
    }

    private static void volumeEvents(Samples s) {
        s.add("volume-event.volume-initialized", new VolumeEvent.VolumeInitialized(VOLUME, VOLUME_NAME, CREATED,
                REPLICA_INDEX, REPLICAS, OWNER, version(1, 0, 1, 0)));
        s.add("volume-event.file-created", new VolumeEvent.FileCreated(origin(1, CREATED + 1_000), ROOT,
                "notes.txt", NOTES, 0644, version(2, 0, 2, 0), version(1, 0, 1, 0)));
        s.add("volume-event.directory-created", new VolumeEvent.DirectoryCreated(origin(2, CREATED + 2_000), ROOT,
                "docs", DOCS, 0755, version(3, 0, 3, 0), version(1, 0, 1, 0)));
        s.add("volume-event.symlink-created", new VolumeEvent.SymlinkCreated(origin(3, CREATED + 3_000), ROOT,
                "latest", LATEST, "docs/report.txt", version(4, 0, 4, 0), version(1, 0, 1, 0)));
        s.add("volume-event.link-added", new VolumeEvent.LinkAdded(origin(4, CREATED + 4_000), DOCS,
                "notes-link", NOTES, version(2, 0, 2, 0), version(2, 0, 2, 0)));
        s.add("volume-event.entry-removed.last-link", new VolumeEvent.EntryRemoved(origin(5, CREATED + 5_000),
                DOCS, "draft.txt", DRAFT, true, version(3, 0, 3, 0), version(4, 0, 4, 0), DRAFT_BLOB));
        s.add("volume-event.entry-removed.other-link-remains", new VolumeEvent.EntryRemoved(
                origin(6, CREATED + 6_000), DOCS, "notes-link", NOTES, false, version(4, 0, 4, 0),
                version(3, 0, 3, 0), null));
        s.add("volume-event.directory-removed", new VolumeEvent.DirectoryRemoved(origin(7, CREATED + 7_000),
                DOCS, "old", new Fid(VOLUME, 8, 8), version(5, 0, 5, 0)));
        s.add("volume-event.renamed.within-directory", new VolumeEvent.Renamed(origin(8, CREATED + 8_000),
                DOCS, "report.tmp", DOCS, "report.txt", REPORT, null, false, version(6, 0, 6, 0),
                version(6, 0, 6, 0), version(2, 0, 2, 0), null, null));
        s.add("volume-event.renamed.replacing-last-link", new VolumeEvent.Renamed(origin(9, CREATED + 9_000),
                DOCS, "notes.new", ROOT, "notes.txt", new Fid(VOLUME, 9, 9), NOTES, true, version(7, 0, 7, 0),
                version(5, 0, 5, 0), version(2, 0, 2, 0), version(4, 0, 4, 0), OLD_NOTES_BLOB));
        s.add("volume-event.attributes-set.mode-only", new VolumeEvent.AttributesSet(
                origin(10, CREATED + 10_000), REPORT, 0600, null, null, version(3, 0, 3, 0), null));
        s.add("volume-event.attributes-set.truncated-to-nothing", new VolumeEvent.AttributesSet(
                origin(11, CREATED + 11_000), DRAFT, null, 0L, CREATED + 11_000, version(5, 0, 5, 0), DRAFT_BLOB));
        s.add("volume-event.content-stored.first", new VolumeEvent.ContentStored(origin(12, CREATED + 12_000),
                NOTES, NOTES_BLOB, 1_200, version(5, 0, 5, 0), null));
        s.add("volume-event.content-stored.replacing", new VolumeEvent.ContentStored(
                origin(13, CREATED + 13_000), NOTES, NOTES_BLOB, 1_200, version(6, 1, 6, 0), OLD_NOTES_BLOB));
        // replicated volumes
        s.add("volume-event.operation-recorded", new VolumeEvent.OperationRecorded(4_294_967_311L,
                List.of(ROOT.vnode(), NOTES.vnode()), CREATED + 14_000));
        s.add("volume-event.cop2-applied", new VolumeEvent.Cop2Applied(4_294_967_311L, List.of(0, 2),
                List.of(ROOT.vnode(), NOTES.vnode())));
        s.add("volume-event.cop2-expired", new VolumeEvent.Cop2Expired(List.of(4_294_967_312L, 4_294_967_313L)));
    }

    /** Two directories, two files (one with stored contents grown past them, one never stored), two symlinks. */
    private static VolumeSnapshot volumeSnapshot() {
        long t = CREATED + 20_000;
        List<VnodeRecord> vnodes = List.of(
                new VnodeRecord(ROOT.vnode(), ROOT.unique(), FileType.DIRECTORY, 0755, OWNER, 0, 3, t, t, 9,
                        vector(0, 9, 0), null, 0, null, ROOT.vnode(), List.of(
                        new EntryRecord("docs", DOCS.vnode(), DOCS.unique(), FileType.DIRECTORY),
                        new EntryRecord("latest", LATEST.vnode(), LATEST.unique(), FileType.SYMLINK),
                        new EntryRecord("notes.txt", NOTES.vnode(), NOTES.unique(), FileType.FILE))),
                new VnodeRecord(DOCS.vnode(), DOCS.unique(), FileType.DIRECTORY, 0750, OWNER, 0, 2, t, t, 8,
                        vector(0, 8, 0), null, 0, null, ROOT.vnode(), List.of(
                        new EntryRecord("report.txt", REPORT.vnode(), REPORT.unique(), FileType.FILE),
                        new EntryRecord("up", UP.vnode(), UP.unique(), FileType.SYMLINK))),
                new VnodeRecord(NOTES.vnode(), NOTES.unique(), FileType.FILE, 0644, OWNER, 1_500, 1, t, t, 7,
                        vector(1, 6, 0), NOTES_BLOB, 1_200, null, 0, List.of()),
                new VnodeRecord(LATEST.vnode(), LATEST.unique(), FileType.SYMLINK, 0777, OWNER, 15, 1, t, t, 1,
                        vector(0, 1, 0), null, 0, "docs/report.txt", 0, List.of()),
                new VnodeRecord(REPORT.vnode(), REPORT.unique(), FileType.FILE, 0600, OWNER, 0, 1, t, t, 3,
                        vector(0, 3, 0), null, 0, null, 0, List.of()),
                new VnodeRecord(UP.vnode(), UP.unique(), FileType.SYMLINK, 0777, OWNER, 12, 1, t, t, 1,
                        vector(0, 1, 0), null, 0, "../notes.txt", 0, List.of()));
        // pendingCop2: absent in v1 snapshots, read as none; resolutionLog: absent before v3's log, read as empty
        return new VolumeSnapshot(true, VOLUME, VOLUME_NAME, CREATED, REPLICA_INDEX, REPLICAS, 10, 10,
                vector(1, 21, 0), vnodes, List.of(), null);
    }

    private static VolumeRegistry.VolumeRecord projects() {
        return new VolumeRegistry.VolumeRecord(VOLUME, VOLUME_NAME, REPLICAS, CREATED, List.of(
                VolumeReplica.entityId(VOLUME, 0), VolumeReplica.entityId(VOLUME, 1),
                VolumeReplica.entityId(VOLUME, 2)));
    }

    private static VolumeRegistry.VolumeRecord scratch() {
        return new VolumeRegistry.VolumeRecord(8, "scratch", 1, CREATED + 60_000,
                List.of(VolumeReplica.entityId(8, 0)));
    }

    private static void registryEvents(Samples s) {
        s.add("registry-event.volume-created", new RegistryEvent.VolumeCreated(projects()));
        s.add("registry-event.replicas-initialized", new RegistryEvent.ReplicasInitialized(VOLUME));
        // one volume whose replicas confirmed initialisation, one still waiting for it
        s.add("registry-snapshot", new RegistryState(Map.of(VOLUME_NAME, projects(), "scratch", scratch()),
                Set.of(VOLUME), 9));
        // creates recognised when retried: the creating (client id, request id)
        s.add("registry-event.volume-created.with-request",
                new RegistryEvent.VolumeCreated(scratch(), "client-5f3a9c", 40L));
        s.add("registry-snapshot.with-creators", new RegistryState(
                Map.of(VOLUME_NAME, projects(), "scratch", scratch()), Set.of(VOLUME), 9,
                Map.of("scratch", new RegistryState.CreateRequest("client-5f3a9c", 40))));
        // operation ids leased to coordinators
        s.add("registry-event.operation-ids-leased", new RegistryEvent.OperationIdsLeased(1L << 62, 1L << 32));
        s.add("registry-snapshot.with-operation-ids", new RegistryState(
                Map.of(VOLUME_NAME, projects(), "scratch", scratch()), Set.of(VOLUME), 9,
                Map.of("scratch", new RegistryState.CreateRequest("client-5f3a9c", 40)), (1L << 62) + (2L << 32)));
    }

    /**
     * Version 2: protocol requests and replies inside actor messages travel under a type name
     * ({@code ProtocolTypeNames}), not a Java class name: every Execute and Done sample again, written anew.
     */
    private static Map<String, Object> v2(ActorSystem<?> system) {
        Map<String, Object> samples = new java.util.LinkedHashMap<>();
        v1(system).forEach((name, sample) -> {
            if (sample instanceof VolumeReplica.Execute || sample instanceof VolumeReplica.Result.Done) {
                samples.put(name, sample);
            }
        });
        return samples;
    }

    /**
     * Version 3: the volume model moved to its own module (package {@code dev.strand.volume}), so its events and
     * snapshots are written under new class names: every one of them again, written anew. Version-1 files keep
     * their old names and read through {@code VolumeModelMoveMigration}.
     */
    private static Map<String, Object> v3(ActorSystem<?> system) {
        Map<String, Object> samples = new java.util.LinkedHashMap<>();
        v1(system).forEach((name, sample) -> {
            if (sample instanceof dev.strand.volume.Serialized) {
                samples.put(name, sample);
            }
        });
        resolutionLog(samples);
        resolution(system, samples);
        detection(system, samples);
        conflicts(system, samples);
        smallFiles(system, samples);
        return samples;
    }

    /** PUT (added in v3): a small file's commit to a coordinator and under COP1, and a file created with its blob. */
    private static void smallFiles(ActorSystem<?> system, Map<String, Object> samples) {
        ActorRef<VolumeReplica.Result> connection = remoteRef(system, "/user/connections/connection-17#1840276431");
        samples.put("replica-command.commit-put", new VolumeReplica.CommitPut(DOCS, "small.txt", 0644, DRAFT_BLOB,
                4_096, "Qm9yaW5nU2FtcGxlRGlnZXN0", "client-5f3a9c", 36, connection, null));
        samples.put("replica-command.commit-put.under-cop1", new VolumeReplica.CommitPut(DOCS, "small.txt", 0644,
                DRAFT_BLOB, 4_096, "Qm9yaW5nU2FtcGxlRGlnZXN0", "client-5f3a9c", 37, connection,
                new Cop1(4_294_967_313L, CREATED + 37_000, List.of(new Cop2Update(4_294_967_312L, List.of(0, 1))))));
        samples.put("volume-event.file-created.with-contents", new VolumeEvent.FileCreated(origin(37, CREATED + 37_000),
                DOCS, "small.txt", new Fid(VOLUME, 8, 8), 0644, version(9, 9, 0, 0), version(1, 1, 0, 0), DRAFT_BLOB,
                4_096));
    }

    /** strand repair check (added in v3): a coordinator's check of its group and its answer. */
    private static void detection(ActorSystem<?> system, Map<String, Object> samples) {
        ActorRef<VolumeReplica.Result> ask = remoteRef(system, "/temp/$e#-218220932");
        samples.put("replica-command.check-group", new VolumeReplica.CheckGroup(ask));
        samples.put("replica-result.group-checked", new VolumeReplica.Result.GroupChecked(List.of(
                new ReplicaSummary(0, "7.0", "strand@127.0.0.1:25520", true, List.of(22L, 21L, 20L), 1, "diverged",
                        2, 0),
                new ReplicaSummary(1, "7.1", "strand@127.0.0.1:25521", true, List.of(21L, 22L, 20L), 1, "diverged",
                        2, 0),
                new ReplicaSummary(2, "7.2", null, false, null, -1, "unavailable", -1, -1)),
                List.of("resolution of replicas [0, 1]")));
    }

    /**
     * Conflicts (added in v3): marked by a resolution, in the same write as its steps, and repaired; a snapshot that
     * holds them; an ApplyResolution that carries them.
     */
    private static void conflicts(ActorSystem<?> system, Map<String, Object> samples) {
        dev.strand.volume.ConflictRecord updateUpdate = new dev.strand.volume.ConflictRecord("UPDATE_UPDATE",
                List.of(NOTES), List.of(), List.of("/notes.txt"), List.of(0, 1),
                "operations 4611686018427387921 and 4611686018427387922 both changed 7.3.3");
        dev.strand.volume.ConflictRecord nameName = new dev.strand.volume.ConflictRecord("NAME_NAME",
                List.of(new Fid(VOLUME, 4_611_686_018_427_387_923L, 1), new Fid(VOLUME, 4_611_686_018_427_387_924L, 1)),
                List.of(new dev.strand.volume.ConflictRecord.Name(DOCS, "plan.txt")),
                List.of("/docs/plan.txt", "?", "/docs/plan.txt"), List.of(1, 2), "'plan.txt' created on both sides");
        samples.put("volume-event.conflicts-marked", new VolumeEvent.ConflictsMarked(List.of(updateUpdate, nameName)));
        samples.put("volume-event.conflict-repaired", new VolumeEvent.ConflictRepaired(NOTES));
        VolumeSnapshot base = volumeSnapshot();
        samples.put("volume-snapshot.with-conflicts", new dev.strand.volume.RecentRequests.Snapshot(
                new VolumeSnapshot(base.initialized(), base.volumeId(), base.volumeName(), base.createdMillis(),
                        base.replicaIndex(), base.replicas(), base.nextVnode(), base.nextUnique(), base.versionVector(),
                        base.vnodes(), List.of(), null, List.of(updateUpdate, nameName)), List.of()));
        ActorRef<VolumeReplica.Result> ask = remoteRef(system, "/temp/$e#-118220933");
        samples.put("replica-command.apply-resolution.with-conflicts", new VolumeReplica.ApplyResolution(List.of(
                new dev.strand.conflictrepair.PlanStep.Stamp(ROOT, 12, vector(3, 9, 1), CREATED + 9_000,
                        CREATED + 9_500)), vector(4, 22, 1), 11, 11, ask, List.of(updateUpdate)));
        // strand repair: through the coordinator to every replica
        samples.put("replica-command.list-conflicts", new VolumeReplica.ListConflicts(0, 1000, ask));
        samples.put("replica-command.read-object-version", new VolumeReplica.ReadObjectVersion(ROOT, "notes.txt", ask));
        samples.put("replica-command.repair-file", new VolumeReplica.RepairFile(ROOT, "notes.txt", 1, null, ask));
        samples.put("replica-command.repair-object", new VolumeReplica.RepairObject(NOTES, List.of(
                new dev.strand.conflictrepair.PlanStep.TakeData(NOTES, 1, 0640, 1_500, CREATED + 9_000, NOTES_BLOB,
                        1_200),
                new dev.strand.conflictrepair.PlanStep.Stamp(NOTES, 10, vector(3, 8, 2), CREATED + 9_000,
                        CREATED + 9_500)), ask));
        // strand repair dir: a conflict over names, to the coordinator, then to every replica
        samples.put("replica-command.repair-dir", new VolumeReplica.RepairDir(DOCS, List.of("plan.txt"), List.of(2),
                true, ask));
        Fid other = new Fid(VOLUME, 4_611_686_018_427_387_923L, 1);
        Fid kept = new Fid(VOLUME, 4_611_686_018_427_387_924L, 1);
        samples.put("replica-command.repair-names", new VolumeReplica.RepairNames(DOCS, List.of("plan.txt"), List.of(
                new VolumeSnapshot.EntryRecord("plan.txt", kept.vnode(), kept.unique(), FileType.FILE),
                new VolumeSnapshot.EntryRecord("plan.txt.conflict-r1", other.vnode(), other.unique(),
                        FileType.FILE)), List.of(new VnodeRecord(kept.vnode(), kept.unique(), FileType.FILE,
                0644, "alice", 1_200, 1, CREATED + 9_000, CREATED + 9_500, 3, vector(0, 2, 3), NOTES_BLOB, 1_200, null,
                DOCS.vnode(), List.of())), List.of(other),
                new dev.strand.conflictrepair.PlanStep.Stamp(DOCS, 7, vector(4, 5, 6), CREATED + 9_500,
                        CREATED + 9_500), List.of(other, kept), null, ask, 0));
        samples.put("volume-event.names-repaired", new VolumeEvent.NamesRepaired(DOCS, List.of("plan.txt"),
                List.of(other, kept)));
        // repair dir settling the names other directories' share of its conflicts, and reading an object by fid
        Fid archive = new Fid(VOLUME, 4_611_686_018_427_387_925L, 1);
        samples.put("replica-command.repair-names.other-dirs", new VolumeReplica.RepairNames(DOCS,
                List.of("plan.txt"), List.of(), List.of(new VnodeRecord(kept.vnode(), kept.unique(), FileType.FILE,
                0644, "alice", 1_200, 1, CREATED + 9_000, CREATED + 9_500, 3, vector(0, 2, 3), NOTES_BLOB, 1_200, null,
                archive.vnode(), List.of())), List.of(), new dev.strand.conflictrepair.PlanStep.Stamp(DOCS, 8,
                vector(5, 6, 7), CREATED + 9_500, CREATED + 9_500), List.of(kept), List.of(
                new dev.strand.conflictrepair.RepairPlanner.OtherDir(archive, List.of("plan-old.txt"), List.of(
                        new VolumeSnapshot.EntryRecord("plan-old.txt", kept.vnode(), kept.unique(), FileType.FILE)),
                        new dev.strand.conflictrepair.PlanStep.Stamp(archive, 4, vector(2, 3, 4), CREATED + 9_500,
                                CREATED + 9_500))), ask, 0));
        samples.put("replica-command.repair-file.from", new VolumeReplica.RepairFile(ROOT, "notes.txt", 1, kept,
                ask));
        samples.put("replica-command.read-object-version.by-fid", new VolumeReplica.ReadObjectVersion(kept, null,
                ask));
        // repair dir of a name bound to a directory: its subtree read page by page, a large repair staged in parts
        samples.put("replica-command.read-subtree", new VolumeReplica.ReadSubtree(DOCS, 3, ask));
        Fid build = new Fid(VOLUME, 4_611_686_018_427_387_926L, 1);
        samples.put("replica-command.stage-repair", new VolumeReplica.StageRepair(77, List.of(
                new VnodeRecord(build.vnode(), build.unique(), FileType.DIRECTORY, 0755, "alice", 0, 2, CREATED + 9_000,
                        CREATED + 9_500, 4, vector(1, 2, 3), null, 0, null, DOCS.vnode(), List.of(
                        new VolumeSnapshot.EntryRecord("out.o", kept.vnode(), kept.unique(), FileType.FILE))),
                new VnodeRecord(kept.vnode(), kept.unique(), FileType.FILE, 0644, "alice", 1_200, 1, CREATED + 9_000,
                        CREATED + 9_500, 3, vector(0, 2, 3), NOTES_BLOB, 1_200, null, build.vnode(), List.of())),
                List.of(other), ask));
        samples.put("replica-command.repair-names.staged", new VolumeReplica.RepairNames(DOCS, List.of("build"),
                List.of(new VolumeSnapshot.EntryRecord("build", build.vnode(), build.unique(), FileType.DIRECTORY)),
                List.of(), List.of(), new dev.strand.conflictrepair.PlanStep.Stamp(DOCS, 9, vector(6, 7, 8),
                CREATED + 9_500, CREATED + 9_500), List.of(build), List.of(), ask, 77));
        // a catch-up's last round: the target takes the source's conflicts, page by page
        samples.put("replica-command.adopt-conflicts", new VolumeReplica.AdoptConflicts(0, List.of(updateUpdate,
                nameName), true, ask));
        samples.put("volume-event.conflicts-adopted", new VolumeEvent.ConflictsAdopted(0, List.of(nameName), false));
        samples.put("replica-result.conflicts-page", new VolumeReplica.Result.ConflictsPage(List.of(
                new ConflictEntry(updateUpdate, List.of(0, 1, 2)),
                new ConflictEntry(nameName, List.of(1))), true));
        VnodeRecord notes = volumeSnapshot().vnodes().get(2);
        samples.put("replica-result.object-versions", new VolumeReplica.Result.ObjectVersions(List.of(
                new ObjectVersion(0, "strand@127.0.0.1:25520", true, notes, true, null,
                        List.of(updateUpdate)),
                new ObjectVersion(1, "strand@127.0.0.1:25521", true, null, true,
                        "no entry 'notes.txt' in 7.1.1 here", List.of()),
                new ObjectVersion(2, null, false, null, true, "did not answer", List.of()))));
    }

    /** Resolution's messages (added in v3): a participant's input and the steps it performs. */
    private static void resolution(ActorSystem<?> system, Map<String, Object> samples) {
        ActorRef<VolumeReplica.Result> ask = remoteRef(system, "/temp/$d#-118220932");
        Samples events = new Samples();
        volumeEvents(events);
        VolumeEvent created = (VolumeEvent) events.all().get("volume-event.file-created");
        List<VnodeRecord> images = volumeSnapshot().vnodes();
        long opId = 4_611_686_018_427_387_904L + 17;
        samples.put("replica-command.read-resolution-log", new VolumeReplica.ReadResolutionLog(ask));
        samples.put("replica-command.read-resolution-images", new VolumeReplica.ReadResolutionImages(
                List.of(ROOT.vnode(), NOTES.vnode()), ask));
        samples.put("replica-command.apply-resolution", new VolumeReplica.ApplyResolution(List.of(
                new dev.strand.conflictrepair.PlanStep.Replay(opId, created),
                new dev.strand.conflictrepair.PlanStep.TakeData(NOTES, 1, 0640, 1_500, CREATED + 9_000, NOTES_BLOB, 1_200),
                new dev.strand.conflictrepair.PlanStep.Stamp(NOTES, 10, vector(3, 7, 1), CREATED + 9_000,
                        CREATED + 9_500)), vector(4, 22, 1), 11, 11, ask));
        samples.put("replica-result.resolution-log-read", new VolumeReplica.Result.ResolutionLogRead(
                List.of(new dev.strand.volume.ResolutionLog.Entry(opId, created)), false, 11, 11, vector(3, 21, 0)));
        samples.put("replica-result.resolution-images", new VolumeReplica.Result.ResolutionImages(images));
        // paged input and staged steps (a resolution larger than one message)
        samples.put("replica-command.read-resolution-log.page", new VolumeReplica.ReadResolutionLog(ask, 330));
        samples.put("replica-command.read-resolution-images.page", new VolumeReplica.ReadResolutionImages(
                List.of(ROOT.vnode(), NOTES.vnode()), ask, 120));
        samples.put("replica-result.resolution-log-read.more", new VolumeReplica.Result.ResolutionLogRead(
                List.of(new dev.strand.volume.ResolutionLog.Entry(opId, created)), false, 11, 11, vector(3, 21, 0),
                true));
        samples.put("replica-result.resolution-images.more", new VolumeReplica.Result.ResolutionImages(images, true));
        samples.put("replica-command.stage-resolution", new VolumeReplica.StageResolution(7_345_112_908_001L,
                List.of(new dev.strand.conflictrepair.PlanStep.Replay(opId, created)), List.of(), ask));
        samples.put("replica-command.apply-resolution.staged", new VolumeReplica.ApplyResolution(List.of(),
                vector(4, 22, 1), 11, 11, ask, List.of(), 7_345_112_908_001L));
        // a full comparison's result (no log explains the difference): whole vnodes installed, objects dropped
        samples.put("replica-command.apply-resolution.full-comparison", new VolumeReplica.ApplyResolution(List.of(
                new dev.strand.conflictrepair.PlanStep.Install(1, images.get(images.size() - 1)),
                new dev.strand.conflictrepair.PlanStep.Drop(NOTES)), vector(4, 22, 1), 11, 11, ask));
        // a group seen current with one vector forgets its logged operations (every replica holds them)
        samples.put("replica-command.forget-settled-log", new VolumeReplica.ForgetSettledLog(vector(4, 22, 1), ask));
        // a full comparison in rounds: a round's steps alone (no volume vector), and the mark it leaves in the write
        samples.put("replica-command.apply-resolution.comparison-round", new VolumeReplica.ApplyResolution(List.of(
                new dev.strand.conflictrepair.PlanStep.Drop(NOTES)), null, 11, 11, ask, List.of(), 42));
        samples.put("volume-event.comparison-round-performed", new VolumeEvent.ComparisonRoundPerformed(1));
    }

    /**
     * The resolution log (added in v3): its truncation event, a snapshot holding a log with an entry of every
     * mutation event (each under its type name) that overflowed, and replicas reporting their log sizes.
     */
    private static void resolutionLog(Map<String, Object> samples) {
        samples.put("volume-event.resolution-log-truncated",
                new VolumeEvent.ResolutionLogTruncated(List.of(4_294_967_311L, 4_294_967_314L)));
        Samples events = new Samples();
        volumeEvents(events);
        List<dev.strand.volume.ResolutionLog.Entry> entries = new java.util.ArrayList<>();
        long opId = 4_294_967_320L;
        for (Object event : events.all().values()) {
            if (!Volume.touchedVnodes((VolumeEvent) event).isEmpty()) { // a mutation's event
                entries.add(new dev.strand.volume.ResolutionLog.Entry(opId++, (VolumeEvent) event));
            }
        }
        VolumeSnapshot base = volumeSnapshot();
        samples.put("volume-snapshot.with-resolution-log", new dev.strand.volume.RecentRequests.Snapshot(
                new VolumeSnapshot(base.initialized(), base.volumeId(), base.volumeName(), base.createdMillis(),
                        base.replicaIndex(), base.replicas(), base.nextVnode(), base.nextUnique(), base.versionVector(),
                        base.vnodes(), List.of(new dev.strand.cop2.PendingCop2.Entry(opId - 1,
                                List.of(ROOT.vnode(), NOTES.vnode()), CREATED + 14_000)),
                        new dev.strand.volume.ResolutionLog.Snapshot(entries, true, 4_294_967_319L)),
                List.of()));
        samples.put("replica-result.stats.with-resolution-log", new VolumeReplica.Result.Stats(VOLUME, VOLUME_NAME,
                CREATED, 2, 2, 2, 1_200, List.of(21L, 21L, 20L),
                new ReplicaSummary(0, "7.0", "strand@127.0.0.1:25520", true, List.of(21L, 21L, 20L), 0,
                        null, 12, 0),
                List.of(new ReplicaSummary(0, "7.0", "strand@127.0.0.1:25520", true,
                                List.of(21L, 21L, 20L), 0, "current", 12, 0),
                        new ReplicaSummary(1, "7.1", "strand@127.0.0.1:25521", true,
                                List.of(21L, 21L, 20L), 0, "current", 12, 0),
                        new ReplicaSummary(2, "7.2", null, false, null, -1, "unavailable", -1, -1))));
    }

    private static void replicaMessages(Samples s, ActorSystem<?> system) {
        ActorRef<VolumeReplica.Result> connection = remoteRef(system, "/user/connections/connection-17#1840276431");
        ActorRef<VolumeReplica.Result> registryAsk = remoteRef(system, "/temp/$a#-302114587");
        String client = "client-5f3a9c";

        s.add("replica-command.initialize",
                new VolumeReplica.Initialize(VOLUME, VOLUME_NAME, CREATED, registryAsk));
        s.add("replica-command.execute.get-attr",
                new VolumeReplica.Execute(new GetAttr(NOTES), client, 20, connection));
        s.add("replica-command.execute.walk",
                new VolumeReplica.Execute(new Walk(ROOT, List.of("docs", "report.txt")), client, 21, connection));
        s.add("replica-command.execute.read-dir",
                new VolumeReplica.Execute(new ReadDir(ROOT, "docs", 100, true), client, 22, connection));
        s.add("replica-command.execute.read-dir.from-start",
                new VolumeReplica.Execute(new ReadDir(ROOT, null, 100, false), client, 23, connection));
        s.add("replica-command.execute.read-link",
                new VolumeReplica.Execute(new ReadLink(LATEST), client, 24, connection));
        s.add("replica-command.execute.create",
                new VolumeReplica.Execute(new Create(ROOT, "notes.txt", 0644, true), client, 25, connection));
        s.add("replica-command.execute.mk-dir",
                new VolumeReplica.Execute(new MkDir(ROOT, "docs", 0755), client, 26, connection));
        s.add("replica-command.execute.symlink", new VolumeReplica.Execute(
                new Symlink(ROOT, "latest", "docs/report.txt"), client, 27, connection));
        s.add("replica-command.execute.link",
                new VolumeReplica.Execute(new Link(DOCS, "notes-link", NOTES), client, 28, connection));
        s.add("replica-command.execute.remove",
                new VolumeReplica.Execute(new Remove(DOCS, "notes-link"), client, 29, connection));
        s.add("replica-command.execute.rm-dir",
                new VolumeReplica.Execute(new RmDir(DOCS, "old"), client, 30, connection));
        s.add("replica-command.execute.rename", new VolumeReplica.Execute(
                new Rename(DOCS, "notes.new", ROOT, "notes.txt"), client, 31, connection));
        s.add("replica-command.execute.set-attr",
                new VolumeReplica.Execute(new SetAttr(NOTES, 0600, 1_500L, null), client, 32, connection));
        s.add("replica-command.prepare-store", new VolumeReplica.PrepareStore(NOTES, connection));
        s.add("replica-command.commit-store",
                new VolumeReplica.CommitStore(NOTES, NOTES_BLOB, 1_200, client, 33, connection));
        s.add("replica-command.open-for-fetch", new VolumeReplica.OpenForFetch(NOTES, connection));
        s.add("replica-command.get-stats", new VolumeReplica.GetStats(connection));
        s.add("replica-command.sweep-blobs", new VolumeReplica.SweepBlobs(connection));
        Cop1 cop1 = new Cop1(4_294_967_312L, CREATED + 34_000,
                List.of(new Cop2Update(4_294_967_311L, List.of(0, 1, 2))));
        s.add("replica-command.execute.create.under-cop1", new VolumeReplica.Execute(
                new Create(ROOT, "plan.txt", 0644, true), client, 34, connection, cop1));
        s.add("replica-command.commit-store.under-cop1",
                new VolumeReplica.CommitStore(NOTES, NOTES_BLOB, 1_200, client, 35, connection, cop1));
        s.add("replica-command.cop2", new VolumeReplica.Cop2(
                List.of(new Cop2Update(4_294_967_312L, List.of(0, 1))), connection));
        s.add("replica-command.validate", new VolumeReplica.Validate(NOTES, connection));
        s.add("replica-command.list-blob-references", new VolumeReplica.ListBlobReferences(connection));

        long t = CREATED + 20_000;
        Attr notes = attr(NOTES, FileType.FILE, 0644, 1_500, 1, t, 7, 1, 6, 0);
        Attr docs = attr(DOCS, FileType.DIRECTORY, 0750, 0, 2, t, 8, 0, 8, 0);
        Attr latest = attr(LATEST, FileType.SYMLINK, 0777, 15, 1, t, 1, 0, 1, 0);
        s.add("replica-result.done.attr", new VolumeReplica.Result.Done(notes));
        s.add("replica-result.done.walk-reply", new VolumeReplica.Result.Done(new WalkReply(1, docs)));
        s.add("replica-result.done.read-dir-reply.with-attrs", new VolumeReplica.Result.Done(new ReadDirReply(
                List.of(new DirEntry("latest", LATEST, FileType.SYMLINK, latest),
                        new DirEntry("notes.txt", NOTES, FileType.FILE, notes)), true)));
        s.add("replica-result.done.read-dir-reply.names-only", new VolumeReplica.Result.Done(new ReadDirReply(
                List.of(new DirEntry("docs", DOCS, FileType.DIRECTORY, null)), false)));
        s.add("replica-result.done.read-link-reply",
                new VolumeReplica.Result.Done(new ReadLinkReply("docs/report.txt")));
        s.add("replica-result.done.volume-info", new VolumeReplica.Result.Done(new VolumeInfo(VOLUME_NAME, VOLUME,
                ROOT, REPLICAS, CREATED, 2, 2, 2, 1_200, List.of(1L, 21L, 0L))));
        s.add("replica-result.done.empty", new VolumeReplica.Result.Done(Empty.INSTANCE));
        s.add("replica-result.rejected", new VolumeReplica.Result.Rejected(Status.NOT_EMPTY,
                "directory 'docs' (7.2.2) is not empty"));
        s.add("replica-result.fetch-target", new VolumeReplica.Result.FetchTarget(notes, NOTES_BLOB, 1_200));
        s.add("replica-result.fetch-target.never-stored", new VolumeReplica.Result.FetchTarget(
                attr(REPORT, FileType.FILE, 0600, 0, 1, t, 3, 0, 3, 0), null, 0));
        // self, group: absent in v1, read as null
        s.add("replica-result.stats", new VolumeReplica.Result.Stats(VOLUME, VOLUME_NAME, CREATED, 2, 2, 2, 1_200,
                List.of(1L, 21L, 0L), null, null));
        s.add("replica-result.swept", new VolumeReplica.Result.Swept(List.of(OLD_NOTES_BLOB, DRAFT_BLOB)));
        s.add("replica-result.stats.replicated", new VolumeReplica.Result.Stats(VOLUME, VOLUME_NAME, CREATED, 2, 2,
                2, 1_200, List.of(21L, 21L, 20L),
                new ReplicaSummary(1, "7.1", "strand@127.0.0.1:25521", true, List.of(21L, 21L, 20L), 1),
                List.of(new ReplicaSummary(0, "7.0", "strand@127.0.0.1:25520", true,
                                List.of(21L, 21L, 20L), 1),
                        new ReplicaSummary(2, "7.2", null, false, null, 0))));
        s.add("replica-result.validation", new VolumeReplica.Result.Validation(List.of(
                new ReplicaVersion(0, "strand@127.0.0.1:25520", true, List.of(6L, 6L, 6L), 6, null),
                new ReplicaVersion(2, null, false, null, 0, "did not answer in 5 s")), false));
        s.add("replica-result.blob-references", new VolumeReplica.Result.BlobReferences(1,
                List.of(NOTES_BLOB, DRAFT_BLOB)));
        s.add("replica-result.cop2-done", new VolumeReplica.Result.Cop2Done(1));
    }

    /** Catching up: replica 1 copies what it missed from replica 0. */
    private static void catchUp(Samples s, ActorSystem<?> system) {
        ActorRef<VolumeReplica.Result> ask = remoteRef(system, "/temp/$c#-118220931");
        long t = CREATED + 40_000;
        VnodeRecord notes = new VnodeRecord(NOTES.vnode(), NOTES.unique(), FileType.FILE, 0644, OWNER, 1_500, 1, t, t,
                8, vector(2, 6, 0), NOTES_BLOB, 1_200, null, 0, List.of());
        VnodeRecord docs = new VnodeRecord(DOCS.vnode(), DOCS.unique(), FileType.DIRECTORY, 0750, OWNER, 0, 2, t, t,
                9, vector(1, 8, 0), null, 0, null, ROOT.vnode(), List.of(
                new EntryRecord("report.txt", REPORT.vnode(), REPORT.unique(), FileType.FILE)));
        List<EntryRecord> moreEntries = List.of(new EntryRecord("up", UP.vnode(), UP.unique(), FileType.SYMLINK));
        List<dev.strand.volume.RecentRequests.Entry> recent = List.of(
                new dev.strand.volume.RecentRequests.Entry("client-5f3a9c", 40, t, NOTES, null, null),
                new dev.strand.volume.RecentRequests.Entry("client-77b0e1", 3, t, null, Status.NOT_FOUND,
                        "no 'draft' in directory 7.1.1"));
        List<dev.strand.volume.VnodeSync.Summary> summaries = List.of(
                new dev.strand.volume.VnodeSync.Summary(ROOT.vnode(), ROOT.unique(), 9, vector(1, 9, 0)),
                new dev.strand.volume.VnodeSync.Summary(NOTES.vnode(), NOTES.unique(), 8, vector(2, 6, 0)));

        s.add("volume-event.vnodes-installed", new VolumeEvent.VnodesInstalled(0, List.of(notes, docs),
                List.of(DOCS.vnode()), List.of(DRAFT.vnode())));
        s.add("volume-event.entries-installed", new VolumeEvent.EntriesInstalled(0, DOCS.vnode(), moreEntries,
                version(9, 1, 8, 0)));
        s.add("volume-event.entries-installed.more-to-come", new VolumeEvent.EntriesInstalled(0, DOCS.vnode(),
                moreEntries, null));
        s.add("volume-event.recent-requests-adopted", new VolumeEvent.RecentRequestsAdopted(0, recent));
        s.add("volume-event.caught-up", new VolumeEvent.CaughtUp(0, vector(3, 21, 0), 11, 11));

        s.add("replica-command.list-versions", new VolumeReplica.ListVersions(0, 1000, ask));
        s.add("replica-command.compare-versions", new VolumeReplica.CompareVersions(0, summaries, true, ask));
        s.add("replica-command.read-vnodes", new VolumeReplica.ReadVnodes(List.of(NOTES.vnode(), DOCS.vnode()), ask));
        s.add("replica-command.read-entries", new VolumeReplica.ReadEntries(DOCS.vnode(), 9, "report.txt", ask));
        s.add("replica-command.read-entries.from-start", new VolumeReplica.ReadEntries(DOCS.vnode(), 9, null, ask));
        s.add("replica-command.read-recent-requests", new VolumeReplica.ReadRecentRequests(0, 1000, ask));
        s.add("replica-command.install-vnodes", new VolumeReplica.InstallVnodes(0, List.of(notes, docs),
                List.of(DOCS.vnode()), List.of(DRAFT.vnode()), ask));
        s.add("replica-command.install-entries", new VolumeReplica.InstallEntries(0, DOCS.vnode(), moreEntries,
                version(9, 1, 8, 0), ask));
        s.add("replica-command.adopt-recent-requests", new VolumeReplica.AdoptRecentRequests(0, recent, ask));
        s.add("replica-command.complete-catch-up", new VolumeReplica.CompleteCatchUp(0, vector(3, 21, 0), 11, 11,
                ask));

        s.add("replica-result.versions", new VolumeReplica.Result.Versions(summaries, true, vector(3, 21, 0), 11, 11));
        s.add("replica-result.compared", new VolumeReplica.Result.Compared(new dev.strand.volume.VnodeSync
                .Differences(List.of(NOTES.vnode()), List.of(DRAFT.vnode()))));
        s.add("replica-result.vnode-images", new VolumeReplica.Result.VnodeImages(new dev.strand.volume
                .VnodeSync.Images(List.of(notes, docs), List.of(DOCS.vnode()), List.of(DRAFT.vnode()))));
        s.add("replica-result.directory-entries", new VolumeReplica.Result.DirectoryEntries(
                new dev.strand.volume.VnodeSync.Entries(moreEntries, true), version(9, 1, 8, 0)));
        s.add("replica-result.recent-requests-page", new VolumeReplica.Result.RecentRequestsPage(recent));
        s.add("replica-result.installed", new VolumeReplica.Result.Installed(2));
        s.add("replica-command.list-pending-operations", new VolumeReplica.ListPendingOperations(ask));
        s.add("replica-result.pending-operations", new VolumeReplica.Result.PendingOperations(
                List.of(4_294_967_311L, 4_294_967_312L)));
        // pages that fit one frame (FrameBudget)
        s.add("replica-command.list-pending-operations-page", new VolumeReplica.ListPendingOperationsPage(14_563, ask));
        s.add("replica-result.pending-operations-page", new VolumeReplica.Result.PendingOperationsPage(
                List.of(4_294_967_311L, 4_294_967_312L), true));
        s.add("replica-result.compared.stopped-early", new VolumeReplica.Result.Compared(new dev.strand.volume
                .VnodeSync.Differences(List.of(NOTES.vnode()), List.of(DRAFT.vnode()), DRAFT.vnode())));
        s.add("replica-command.list-blob-references-page", new VolumeReplica.ListBlobReferencesPage(DOCS.vnode(), ask));
        s.add("replica-result.blob-references-page", new VolumeReplica.Result.BlobReferencesPage(1,
                List.of(NOTES_BLOB, DRAFT_BLOB), DRAFT.vnode(), false));
        s.add("replica-result.stats.with-replica-states", new VolumeReplica.Result.Stats(VOLUME, VOLUME_NAME,
                CREATED, 2, 2, 2, 1_200, List.of(21L, 21L, 20L),
                new ReplicaSummary(0, "7.0", "strand@127.0.0.1:25520", true, List.of(21L, 21L, 20L), 0),
                List.of(new ReplicaSummary(0, "7.0", "strand@127.0.0.1:25520", true,
                                List.of(21L, 21L, 20L), 0, "current"),
                        new ReplicaSummary(1, "7.1", "strand@127.0.0.1:25521", true,
                                List.of(20L, 21L, 20L), 0, "catching-up"),
                        new ReplicaSummary(2, "7.2", null, false, null, -1, "unavailable"))));
    }

    private static void registryMessages(Samples s, ActorSystem<?> system) {
        ActorRef<VolumeRegistry.Result> cli = remoteRef(system, "/temp/$b#977310044");
        s.add("registry-command.create-volume", new VolumeRegistry.CreateVolume(VOLUME_NAME, REPLICAS, cli));
        s.add("registry-command.create-volume.with-request", new VolumeRegistry.CreateVolume("scratch", 1, cli,
                "majority", "client-5f3a9c", 40L));
        s.add("registry-command.lookup", new VolumeRegistry.Lookup(VOLUME_NAME, cli));
        s.add("registry-command.list-volumes", new VolumeRegistry.ListVolumes(cli));
        s.add("registry-command.lookup-id", new VolumeRegistry.LookupId(VOLUME, cli));
        s.add("registry-result.volume", new VolumeRegistry.Result.Volume(projects()));
        s.add("registry-result.volumes", new VolumeRegistry.Result.Volumes(List.of(projects(), scratch())));
        s.add("registry-command.list-volumes-page", new VolumeRegistry.ListVolumesPage("projects", cli));
        s.add("registry-command.list-volumes-page.from-start", new VolumeRegistry.ListVolumesPage(null, cli));
        s.add("registry-result.volumes-page", new VolumeRegistry.Result.VolumesPage(List.of(scratch()), true));
        s.add("registry-result.rejected", new VolumeRegistry.Result.Rejected(Status.VOLUME_EXISTS,
                "volume 'projects' exists"));
        s.add("registry-command.lease-operation-ids", new VolumeRegistry.LeaseOperationIds(cli));
        s.add("registry-result.operation-id-lease", new VolumeRegistry.Result.OperationIdLease(1L << 62, 1L << 32));
    }

    /** Samples by name; a name is used once. */
    private static final class Samples {
        private final Map<String, Object> byName = new LinkedHashMap<>();

        void add(String name, Object sample) {
            if (byName.putIfAbsent(name, sample) != null) {
                throw new IllegalStateException("two samples named " + name);
            }
        }

        Map<String, Object> all() {
            return Collections.unmodifiableMap(byName);
        }
    }
}
