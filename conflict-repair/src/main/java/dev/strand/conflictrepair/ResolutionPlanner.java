package dev.strand.conflictrepair;

import dev.strand.conflictrepair.OpEffects.NameKey;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionOrder;
import dev.strand.replication.VersionVector;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The decisions of resolution (Coda's log-based resolution, rebuilt), pure: from what every reachable replica
 * reported ({@link ReplicaInput}: its log and its images of the objects the logs name) to a {@link ResolutionPlan}.
 *
 * <ol>
 *   <li>An overflowed log cannot tell what it lacks: {@link ResolutionPlan.NeedsFullComparison}.</li>
 *   <li>Comparison first, for every object no missing operation touches: equal vectors, nothing; weakly equal (same
 *       data version and data, concurrent vectors: a lost COP2), the vectors merge; one replica dominates, the others
 *       take its data (a directory only if the entries already agree). Anything else is older than the logs.</li>
 *   <li>The log merge for the rest: the operations some replica lacks (by op id), judged pairwise by
 *       {@link MergeRules}; conflicting ones are held back with every later operation on their objects. Namespace
 *       operations are replayed where missing, in op-id order; data changes (store, setattr) are taken whole from
 *       the replica that has all of them.</li>
 *   <li>The plan is tried on every replica's images with {@link StepApplier}: a replay the state refuses is held back
 *       ({@link Conflict.Kind#REPLAY_REFUSED}) and the plan is made again. Then every object it merged must come out
 *       the same everywhere, or nothing is decided.</li>
 *   <li>Every merged object gets one final version, the same on every replica: the merge of all vectors with every
 *       participant's slot one higher (so it dominates every earlier vector), data version one above the highest.</li>
 * </ol>
 */
public final class ResolutionPlanner {

    private final long volumeId;
    private final int replicas;
    private final List<ReplicaInput> inputs;
    private final Map<Integer, Map<Long, VnodeRecord>> images = new TreeMap<>();
    private final TreeMap<Long, Op> ops = new TreeMap<>();
    private final Conflicts conflicts;

    private ResolutionPlanner(long volumeId, int replicas, List<ReplicaInput> inputs) {
        this.volumeId = volumeId;
        this.replicas = replicas;
        this.inputs = List.copyOf(inputs);
        for (ReplicaInput input : inputs) {
            Map<Long, VnodeRecord> byNumber = new HashMap<>();
            input.images().forEach(r -> byNumber.put(r.vnode(), r));
            images.put(input.replica(), byNumber);
        }
        conflicts = new Conflicts(volumeId, images);
    }

    /** One operation of the merged logs, with the replicas that performed it. */
    record Op(long opId, VolumeEvent event, OpEffects effects, Set<Integer> holders) {
        boolean concurrentWith(Op other) {
            return holders.stream().noneMatch(other.holders::contains);
        }

        /** One operation per id (the event's deep hash would cost every lookup a walk through it). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Op other && other.opId == opId;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(opId);
        }
    }

    /**
     * Plans the resolution of a volume {@code volumeId} whose storage group has {@code replicas} slots, from the
     * inputs of the replicas that take part (at least two).
     */
    public static ResolutionPlan plan(long volumeId, int replicas, List<ReplicaInput> inputs) {
        if (inputs.size() < 2) {
            throw new IllegalArgumentException("resolution needs at least two replicas, not " + inputs.size());
        }
        Set<Integer> slots = new TreeSet<>();
        for (ReplicaInput input : inputs) {
            if (input.replica() < 0 || input.replica() >= replicas || !slots.add(input.replica())) {
                throw new IllegalArgumentException("replica " + input.replica() + " is not a slot of a group of "
                        + replicas + " or is given twice");
            }
        }
        for (ReplicaInput input : inputs) {
            if (input.logOverflowed()) {
                return new ResolutionPlan.NeedsFullComparison("the log of replica " + input.replica()
                        + " overflowed: what it lacks cannot be told from the logs", List.of());
            }
        }
        return new ResolutionPlanner(volumeId, replicas, inputs).plan();
    }

    private ResolutionPlan plan() {
        for (ReplicaInput input : inputs) {
            for (LogEntry entry : input.log()) {
                Op op = ops.computeIfAbsent(entry.opId(), id -> new Op(id, entry.event(), OpEffects.of(entry.event()),
                        new TreeSet<>()));
                if (op.event().getClass() != entry.event().getClass()) {
                    return new ResolutionPlan.NeedsFullComparison("operation " + entry.opId()
                            + " is a different operation in two logs", List.of());
                }
                op.holders().add(input.replica());
            }
        }
        ops.values().removeIf(op -> op.holders().size() == inputs.size()); // done everywhere: nothing to merge
        Set<Long> touched = new TreeSet<>();
        ops.values().forEach(op -> touched.addAll(op.effects().touches()));

        Map<Integer, List<PlanStep>> shortPaths = new TreeMap<>();
        Map<Long, PlanStep.Stamp> stamps = new TreeMap<>();
        ResolutionPlan.NeedsFullComparison undecided = compare(touched, shortPaths, stamps);
        if (undecided != null) {
            return undecided;
        }
        Map<Op, Op> sameEffect = judgePairs();
        while (true) { // each pass holds back at least one more operation, so this ends
            conflicts.propagate(ops.values());
            Trial trial = new Trial(sameEffect);
            if (trial.run()) {
                try {
                    return trial.finish(shortPaths, stamps);
                } catch (StepApplier.Refused refused) { // the images contradict the logs: compare, do not guess
                    return new ResolutionPlan.NeedsFullComparison("the merged plan cannot be performed: "
                            + refused.getMessage(), List.of());
                }
            }
        }
    }

    // ---- comparison first: objects no missing operation touches -------------------------------------------

    private ResolutionPlan.NeedsFullComparison compare(Set<Long> touched, Map<Integer, List<PlanStep>> steps,
                                                       Map<Long, PlanStep.Stamp> stamps) {
        Set<Long> all = new TreeSet<>();
        images.values().forEach(m -> all.addAll(m.keySet()));
        for (long number : all) {
            if (touched.contains(number)) {
                continue;
            }
            Map<Integer, VnodeRecord> copies = copiesOf(number);
            VnodeRecord first = copies.values().iterator().next();
            Fid fid = new Fid(volumeId, number, first.unique());
            if (copies.size() < inputs.size() || copies.values().stream().anyMatch(r -> r.unique() != first.unique())) {
                return new ResolutionPlan.NeedsFullComparison("replicas differ on whether " + fid
                        + " exists, and no log explains it", List.of(fid));
            }
            if (copies.values().stream().allMatch(r -> r.versionVector().equals(first.versionVector()))) {
                continue;
            }
            VersionVector merged = mergedVector(copies.values());
            if (copies.values().stream().allMatch(r -> sameData(r, first) && r.dataVersion() == first.dataVersion())) {
                stamps.put(number, new PlanStep.Stamp(fid, first.dataVersion(), merged, maxMtime(copies.values()),
                        maxCtime(copies.values())));
                continue;
            }
            Integer dominant = dominant(copies);
            VnodeRecord source = dominant == null ? null : copies.get(dominant);
            if (source == null || (source.type() == FileType.DIRECTORY && copies.values().stream()
                    .anyMatch(r -> !r.entries().equals(source.entries()) || r.parent() != source.parent()))) {
                return new ResolutionPlan.NeedsFullComparison("the copies of " + fid
                        + " differ and no log entry explains it (the difference is older than the logs)", List.of(fid));
            }
            copies.forEach((replica, r) -> {
                if (!replica.equals(dominant)) {
                    steps.computeIfAbsent(replica, k -> new ArrayList<>()).add(takeData(fid, dominant, source));
                }
            });
            stamps.put(number, new PlanStep.Stamp(fid, source.dataVersion(), source.versionVector(),
                    source.mtimeMillis(), maxCtime(copies.values())));
        }
        return null;
    }

    private Integer dominant(Map<Integer, VnodeRecord> copies) {
        for (Map.Entry<Integer, VnodeRecord> candidate : copies.entrySet()) {
            VersionVector v = candidate.getValue().versionVector();
            if (copies.values().stream().allMatch(r -> v.compare(r.versionVector()) != VersionOrder.DOMINATED
                    && v.compare(r.versionVector()) != VersionOrder.CONCURRENT)) {
                return candidate.getKey();
            }
        }
        return null;
    }

    // ---- the log merge ------------------------------------------------------------------------------------

    /**
     * Judges every pair of concurrent operations that share an object or a name, or where one removes a directory the
     * other changes entries in; returns the same-effect pairs. A directory's other entries are no reason to compare:
     * 10,000 names created in one directory on two sides make no pairs.
     */
    private Map<Op, Op> judgePairs() {
        Map<Object, List<Op>> byKey = new HashMap<>();
        Map<Long, List<Op>> inDirectory = new HashMap<>();
        for (Op op : ops.values()) {
            Set<Long> containers = new TreeSet<>();
            for (NameKey name : names(op)) {
                byKey.computeIfAbsent(name, k -> new ArrayList<>()).add(op);
                containers.add(name.dir());
            }
            for (Long vnode : op.effects().touches()) {
                if (containers.contains(vnode)) {
                    inDirectory.computeIfAbsent(vnode, k -> new ArrayList<>()).add(op);
                } else {
                    byKey.computeIfAbsent(vnode, k -> new ArrayList<>()).add(op);
                }
            }
        }
        List<Op[]> candidates = new ArrayList<>();
        for (List<Op> sharing : byKey.values()) {
            for (int i = 0; i < sharing.size(); i++) {
                for (int j = i + 1; j < sharing.size(); j++) {
                    candidates.add(new Op[] {sharing.get(i), sharing.get(j)});
                }
            }
        }
        for (Op op : ops.values()) { // a removed directory against what happened inside it
            for (Long removed : op.effects().removes()) {
                inDirectory.getOrDefault(removed, List.of()).forEach(other -> candidates.add(new Op[] {op, other}));
            }
        }
        Map<Op, Op> sameEffect = new HashMap<>();
        Set<List<Long>> judged = new java.util.HashSet<>();
        for (Op[] pair : candidates) {
            Op a = pair[0].opId() < pair[1].opId() ? pair[0] : pair[1];
            Op b = a == pair[0] ? pair[1] : pair[0];
            if (a == b || !a.concurrentWith(b) || !judged.add(List.of(a.opId(), b.opId()))) {
                continue;
            }
            MergeRules.Verdict verdict = MergeRules.judge(a.effects(), b.effects(), this::weaklyEqual);
            if (verdict.sameEffect()) {
                sameEffect.put(b, a);
                sameEffect.put(a, b);
            } else if (verdict.isConflict()) {
                conflicts.add(verdict.kind(), verdict.objects(), verdict.names(), List.of(a, b),
                        verdict.rule() + " between operations " + a.opId() + " and " + b.opId());
            }
        }
        return sameEffect;
    }

    /** Every replica that holds the object holds the same data (Coda's weak equality): nothing to choose. */
    private boolean weaklyEqual(long number) {
        Map<Integer, VnodeRecord> copies = copiesOf(number);
        if (copies.size() < inputs.size()) {
            return false;
        }
        VnodeRecord first = copies.values().iterator().next();
        return copies.values().stream().allMatch(r -> r.unique() == first.unique() && sameData(r, first));
    }

    /** One try of the plan on every replica's images. */
    private final class Trial {
        private final Map<Op, Op> sameEffect;
        private final Map<Integer, Volume> states = new TreeMap<>();
        private final Map<Integer, List<PlanStep>> steps = new TreeMap<>();

        Trial(Map<Op, Op> sameEffect) {
            this.sameEffect = sameEffect;
        }

        /** False if some replay was refused (and is now held back). */
        boolean run() {
            boolean clean = true;
            for (ReplicaInput input : inputs) {
                int r = input.replica();
                Volume state = partialVolume(r);
                List<PlanStep> mine = new ArrayList<>();
                Set<Op> done = new LinkedHashSet<>();
                ops.values().stream().filter(op -> op.holders().contains(r)).forEach(done::add);
                for (Op op : ops.values()) {
                    if (done.contains(op)) {
                        continue;
                    }
                    Op twin = sameEffect.get(op);
                    if (conflicts.isHeld(op) || !op.effects().isNamespace() || (twin != null && done.contains(twin))) {
                        continue;
                    }
                    PlanStep step = new PlanStep.Replay(op.opId(), op.event());
                    try {
                        state.apply(StepApplier.toEvent(state, r, step));
                        mine.add(step);
                        done.add(op);
                    } catch (StepApplier.Refused refused) {
                        if (StepApplier.inEffect(state, op.event())) {
                            done.add(op); // a catch-up copied its result here: held, not missing, never a conflict
                            continue;
                        }
                        conflicts.refused(op, r, refused.getMessage());
                        clean = false;
                    }
                }
                states.put(r, state);
                steps.put(r, mine);
            }
            return clean;
        }

        ResolutionPlan finish(Map<Integer, List<PlanStep>> shortPaths, Map<Long, PlanStep.Stamp> stamps) {
            takeAllData();
            shortPaths.forEach((r, s) -> s.forEach(step -> apply(r, step)));
            Set<Long> merged = new TreeSet<>();
            ops.values().stream().filter(op -> !conflicts.isHeld(op)).forEach(op -> merged.addAll(op.effects().touches()));
            merged.removeAll(conflicts.unsettled());
            for (long number : merged) {
                Map<Integer, VnodeRecord> now = new TreeMap<>();
                states.forEach((r, v) -> {
                    if (v.vnode(number) != null) {
                        now.put(r, v.vnode(number).toRecord(v.vnode(number).entryRecords()));
                    }
                });
                if (now.isEmpty()) {
                    continue; // created and removed again
                }
                VnodeRecord any = now.values().iterator().next();
                if (now.size() < states.size() || now.values().stream().anyMatch(r -> !sameObject(r, any))) {
                    return new ResolutionPlan.NeedsFullComparison("the merge would leave vnode " + number
                            + " unequal on the replicas", List.of(new Fid(volumeId, number, any.unique())));
                }
                Map<Integer, VnodeRecord> before = copiesOf(number);
                VersionVector vector = mergedVector(before.values());
                for (ReplicaInput input : inputs) {
                    vector = vector.increment(input.replica());
                }
                long dataVersion = before.values().stream().mapToLong(VnodeRecord::dataVersion).max().orElse(0) + 1;
                stamps.put(number, new PlanStep.Stamp(new Fid(volumeId, number, any.unique()), dataVersion, vector,
                        maxMtime(now.values()), maxCtime(now.values())));
            }
            for (PlanStep.Stamp stamp : stamps.values()) {
                for (int r : states.keySet()) {
                    apply(r, stamp);
                }
            }
            return new ResolutionPlan.Planned(steps, conflicts.build(), stamps.values().stream()
                    .map(PlanStep.Stamp::fid).toList());
        }

        /** Data changes: the replica that performed all of an object's data changes gives its data to the others. */
        private void takeAllData() {
            Map<Long, Set<Long>> changesOf = new TreeMap<>();
            for (Op op : ops.values()) {
                if (!conflicts.isHeld(op)) {
                    op.effects().dataChanges().forEach(n -> changesOf.computeIfAbsent(n, k -> new TreeSet<>()).add(op.opId()));
                }
            }
            changesOf.forEach((number, changes) -> {
                Integer source = null;
                for (ReplicaInput input : inputs) {
                    if (changes.stream().allMatch(id -> ops.get(id).holders().contains(input.replica()))) {
                        source = input.replica();
                        break;
                    }
                }
                VnodeRecord image = source == null ? null : images.get(source).get(number);
                if (image == null || weaklyEqual(number)) {
                    return; // weakly equal, or none has them all: then update/update already held them back
                }
                Fid fid = new Fid(volumeId, number, image.unique());
                for (ReplicaInput input : inputs) {
                    if (!changes.stream().allMatch(id -> ops.get(id).holders().contains(input.replica()))) {
                        apply(input.replica(), takeData(fid, source, image));
                    }
                }
            });
        }

        private void apply(int replica, PlanStep step) {
            Volume state = states.get(replica);
            state.apply(StepApplier.toEvent(state, replica, step));
            steps.get(replica).add(step);
        }
    }

    private static Set<NameKey> names(Op op) {
        Set<NameKey> names = new LinkedHashSet<>(op.effects().binds());
        names.addAll(op.effects().unbinds());
        return names;
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** A volume that holds only {@code replica}'s images: enough to decide and try its steps. */
    private Volume partialVolume(int replica) {
        List<VnodeRecord> records = new ArrayList<>(images.get(replica).values());
        records.sort(java.util.Comparator.comparingLong(VnodeRecord::vnode));
        return Volume.fromSnapshot(new VolumeSnapshot(true, volumeId, "resolution", 0, replica, replicas, 0, 0,
                VersionVector.ofSize(replicas), records, List.of()));
    }

    private Map<Integer, VnodeRecord> copiesOf(long number) {
        Map<Integer, VnodeRecord> copies = new LinkedHashMap<>();
        images.forEach((r, m) -> {
            if (m.containsKey(number)) {
                copies.put(r, m.get(number));
            }
        });
        return copies;
    }

    private static PlanStep.TakeData takeData(Fid fid, int from, VnodeRecord source) {
        return new PlanStep.TakeData(fid, from, source.mode(), source.size(), source.mtimeMillis(), source.blobId(),
                source.blobLength());
    }

    /** Contents and attributes (what store and setattr change). */
    static boolean sameData(VnodeRecord a, VnodeRecord b) {
        return a.type() == b.type() && a.mode() == b.mode() && a.size() == b.size() && a.mtimeMillis() == b.mtimeMillis()
                && Objects.equals(a.blobId(), b.blobId()) && a.blobLength() == b.blobLength()
                && Objects.equals(a.symlinkTarget(), b.symlinkTarget());
    }

    /** The same object with the same contents, names and links (versions and times aside). */
    private boolean sameObject(VnodeRecord a, VnodeRecord b) {
        return a.unique() == b.unique() && a.type() == b.type() && a.mode() == b.mode() && a.size() == b.size()
                && Objects.equals(a.blobId(), b.blobId()) && a.blobLength() == b.blobLength()
                && Objects.equals(a.symlinkTarget(), b.symlinkTarget()) && Objects.equals(a.owner(), b.owner())
                && a.linkCount() == b.linkCount() && a.parent() == b.parent()
                && conflicts.settledEntries(a).equals(conflicts.settledEntries(b));
    }

    private VersionVector mergedVector(Iterable<VnodeRecord> records) {
        VersionVector merged = VersionVector.ofSize(replicas);
        for (VnodeRecord r : records) {
            merged = merged.merge(r.versionVector());
        }
        return merged;
    }

    private static long maxMtime(Iterable<VnodeRecord> records) {
        long max = Long.MIN_VALUE;
        for (VnodeRecord r : records) {
            max = Math.max(max, r.mtimeMillis());
        }
        return max;
    }

    private static long maxCtime(Iterable<VnodeRecord> records) {
        long max = Long.MIN_VALUE;
        for (VnodeRecord r : records) {
            max = Math.max(max, r.ctimeMillis());
        }
        return max;
    }
}
