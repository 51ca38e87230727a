package dev.strand.conflictrepair;

import dev.strand.protocol.StrandException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Request;
import dev.strand.volume.ModelVolume;
import dev.strand.volume.Vnode;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * A storage group of {@link ModelVolume}s driven as the coordinator drives it: every operation goes to the replicas
 * of one side (COP1: each decides and journals its own event), then COP2 bumps the other slots of that side. While
 * {@link #recording}, every operation enters the resolution log of each replica that performed it.
 */
final class Group {

    final int size;
    final ModelVolume[] replicas;
    final List<List<LogEntry>> logs = new ArrayList<>();
    boolean recording;
    private long nextOpId = 1L << 62;

    Group(int size) {
        this.size = size;
        this.replicas = new ModelVolume[size];
        for (int r = 0; r < size; r++) {
            replicas[r] = new ModelVolume(r, size, "client-" + r);
            logs.add(new ArrayList<>());
        }
    }

    static int[] all(int size) {
        return IntStream.range(0, size).toArray();
    }

    /** Runs {@code request} at the replicas of {@code side}; the first replica's failure is thrown (all fail alike). */
    Object run(int[] side, Request request) {
        return perform(side, m -> m.execute(request), true);
    }

    /** As {@link #run}, but the COP2 is lost: the replicas performed it, their vectors do not say so. */
    Object runLosingCop2(int[] side, Request request) {
        return perform(side, m -> m.execute(request), false);
    }

    void store(int[] side, Fid fid, UUID blob, long length) {
        perform(side, m -> m.commitStore(fid, blob, length), true);
    }

    private Object perform(int[] side, Function<ModelVolume, Object> op, boolean cop2) {
        long opId = nextOpId++;
        Object reply = null;
        List<Long> touched = null;
        for (int r : side) {
            ModelVolume m = replicas[r];
            int before = m.events.size();
            reply = op.apply(m); // a StrandException leaves every replica of the side unchanged
            if (m.events.size() > before) {
                VolumeEvent event = m.events.get(before); // the mutation's (its OperationRecorded follows)
                touched = Volume.touchedVnodes(event);
                if (recording) {
                    logs.get(r).add(new LogEntry(opId, event));
                }
            }
        }
        if (cop2 && touched != null && side.length > 1) {
            for (int r : side) {
                List<Integer> others = new ArrayList<>();
                for (int o : side) {
                    if (o != r) {
                        others.add(o);
                    }
                }
                replicas[r].apply(new VolumeEvent.Cop2Applied(opId, others, touched));
            }
        }
        return reply;
    }

    /** Runs {@code request}, ignoring the refusal a random operation may meet (e.g. EXISTS, NOT_FOUND). */
    boolean tryRun(int[] side, Request request) {
        try {
            run(side, request);
            return true;
        } catch (StrandException refused) {
            return false;
        }
    }

    /**
     * Makes the replicas of {@code side} allocate fids from {@code firstVnode} on, as a partition-safe allocation
     * would (the two sides of a partition must never hand out one fid for two objects).
     */
    void allocateFrom(int[] side, long firstVnode) {
        for (int r : side) {
            Volume v = replicas[r].volume;
            replicas[r].apply(new VolumeEvent.CaughtUp(r, v.versionVector(), firstVnode, firstVnode));
        }
    }

    /** What each replica reports to the resolution coordinator. */
    List<ReplicaInput> inputs() {
        var named = VnodeImages.named(logs);
        List<ReplicaInput> inputs = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            inputs.add(new ReplicaInput(r, logs.get(r), false, VnodeImages.collect(replicas[r].volume, named)));
        }
        return inputs;
    }

    ResolutionPlan plan() {
        return ResolutionPlanner.plan(ModelVolume.VOLUME_ID, size, inputs());
    }

    /** Performs every replica's steps of {@code plan} on it. */
    void apply(ResolutionPlan.Planned plan) {
        for (int r = 0; r < size; r++) {
            for (VolumeEvent event : StepApplier.apply(replicas[r].volume, r, plan.steps().getOrDefault(r, List.of()))) {
                replicas[r].events.add(event);
            }
        }
    }

    Fid root() {
        return replicas[0].root();
    }

    /** The vnode at {@code path} ("a/b") on replica {@code r}, or null. */
    Vnode at(int r, String path) {
        Volume v = replicas[r].volume;
        Vnode node = v.root();
        for (String part : path.isEmpty() ? new String[0] : path.split("/")) {
            var entry = node == null || !node.isDirectory() ? null : node.entry(part);
            node = entry == null ? null : v.vnode(entry);
        }
        return node;
    }

    Fid fid(int r, String path) {
        Vnode v = at(r, path);
        return v == null ? null : replicas[r].volume.fid(v);
    }

    /**
     * Replica {@code r}'s tree as path -> description (type, fid, mode, size, contents, link count, target), leaving
     * out the objects and names in {@code conflicts} and everything below them.
     */
    Map<String, String> tree(int r, List<Conflict> conflicts) {
        Map<String, String> out = new TreeMap<>();
        Volume v = replicas[r].volume;
        walk(v, v.root(), "", conflicts, out);
        return out;
    }

    private static void walk(Volume v, Vnode dir, String path, List<Conflict> conflicts, Map<String, String> out) {
        Fid dirFid = v.fid(dir);
        dir.entries().forEach((name, entry) -> {
            Vnode child = v.vnode(entry);
            Fid fid = v.fid(child);
            boolean excluded = conflicts.stream().anyMatch(c -> c.objects().contains(fid)
                    || c.names().contains(new Conflict.Name(dirFid, name)));
            if (excluded) {
                return;
            }
            String p = path + "/" + name;
            // a directory holding a name in conflict counts the ".." of a subdirectory only where it is
            boolean holdsConflict = conflicts.stream().anyMatch(c -> c.names().stream().anyMatch(n -> n.dir().equals(fid)));
            out.put(p, child.type() + " " + fid + " mode=" + Integer.toOctalString(child.mode()) + " size="
                    + child.size() + " blob=" + child.blobId() + "/" + child.blobLength()
                    + " links=" + (holdsConflict && child.isDirectory() ? "?" : child.linkCount())
                    + " target=" + child.symlinkTarget() + " owner=" + child.owner());
            if (child.isDirectory()) {
                walk(v, child, p, conflicts, out);
            }
        });
    }
}
