package dev.strand.conflictrepair;

import dev.strand.conflictrepair.OpEffects.NameKey;
import dev.strand.conflictrepair.ResolutionPlanner.Op;
import dev.strand.protocol.message.Fid;
import dev.strand.volume.VolumeEvent;
import dev.strand.volume.VolumeSnapshot.EntryRecord;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The conflicts of one plan while it is made: which operations are held back, and which objects and names each
 * conflict keeps as they are. A held operation puts in conflict every object it touches except the directories whose
 * entries it changes: those keep merging their other entries, with their own names in conflict (and their vectors
 * unequal). Every later operation on an object or a name in conflict is held back with it.
 */
final class Conflicts {

    private final long volumeId;
    private final Map<Integer, Map<Long, VnodeRecord>> images;
    private final List<Builder> all = new ArrayList<>();
    private final Map<Long, Builder> heldOps = new HashMap<>();
    private final Map<Long, Builder> byObject = new HashMap<>();
    private final Map<NameKey, Builder> byName = new HashMap<>();
    private final Map<Long, Fid> fids = new HashMap<>();

    Conflicts(long volumeId, Map<Integer, Map<Long, VnodeRecord>> images) {
        this.volumeId = volumeId;
        this.images = images;
    }

    private static final class Builder {
        final Conflict.Kind kind;
        final String reason;
        final Set<Long> objects = new LinkedHashSet<>();
        final Set<NameKey> names = new LinkedHashSet<>();
        final Set<Integer> replicas = new TreeSet<>();
        final Set<Long> opIds = new TreeSet<>();

        Builder(Conflict.Kind kind, String reason) {
            this.kind = kind;
            this.reason = reason;
        }
    }

    void add(Conflict.Kind kind, Set<Long> objects, Set<NameKey> names, List<Op> ops, String reason) {
        Builder b = new Builder(kind, reason);
        all.add(b);
        objects.forEach(o -> index(b, o));
        names.forEach(n -> index(b, n));
        ops.forEach(op -> hold(b, op));
    }

    void refused(Op op, int replica, String reason) {
        if (isHeld(op)) {
            return;
        }
        Builder b = new Builder(Conflict.Kind.REPLAY_REFUSED, "operation " + op.opId() + " cannot be performed at replica "
                + replica + ": " + reason);
        all.add(b);
        b.replicas.add(replica);
        hold(b, op);
    }

    boolean isHeld(Op op) {
        return heldOps.containsKey(op.opId());
    }

    /** Holds back every operation on an object or a name in conflict, until none is left to hold. */
    void propagate(Iterable<Op> ops) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Op op : ops) {
                if (isHeld(op)) {
                    continue;
                }
                Builder b = op.effects().touches().stream().map(byObject::get).filter(x -> x != null).findFirst()
                        .orElse(null);
                if (b == null) {
                    b = names(op).stream().map(byName::get).filter(x -> x != null).findFirst().orElse(null);
                }
                if (b != null) {
                    hold(b, op);
                    changed = true;
                }
            }
        }
    }

    /** Objects and directories the plan must not stamp: what is in conflict and the directories of names in conflict. */
    Set<Long> unsettled() {
        Set<Long> out = new TreeSet<>(byObject.keySet());
        byName.keySet().forEach(n -> out.add(n.dir()));
        return out;
    }

    /** A directory's entries apart from those in conflict. */
    List<EntryRecord> settledEntries(VnodeRecord dir) {
        return dir.entries().stream().filter(e -> !byName.containsKey(new NameKey(dir.vnode(), e.name()))).toList();
    }

    List<Conflict> build() {
        Map<Long, String> paths = pathIndex();
        List<Conflict> out = new ArrayList<>();
        for (Builder b : all) {
            List<Fid> objects = b.objects.stream().map(this::fid).toList();
            List<Conflict.Name> names = b.names.stream().map(n -> new Conflict.Name(fid(n.dir()), n.name())).toList();
            List<String> hints = new ArrayList<>();
            b.objects.forEach(o -> hints.add(paths.getOrDefault(o, "?")));
            b.names.forEach(n -> hints.add(dirPath(paths, n.dir()) + "/" + n.name()));
            out.add(new Conflict(b.kind, objects, names, hints, b.replicas, List.copyOf(b.opIds), b.reason));
        }
        return out;
    }

    private void hold(Builder b, Op op) {
        heldOps.put(op.opId(), b);
        b.opIds.add(op.opId());
        b.replicas.addAll(op.holders());
        learnFids(op.event());
        Set<Long> containers = new TreeSet<>();
        for (NameKey name : names(op)) {
            index(b, name);
            containers.add(name.dir());
        }
        op.effects().touches().stream().filter(v -> !containers.contains(v)).forEach(v -> index(b, v));
    }

    private static Set<NameKey> names(Op op) {
        Set<NameKey> names = new LinkedHashSet<>(op.effects().binds());
        names.addAll(op.effects().unbinds());
        return names;
    }

    private void index(Builder b, long object) {
        b.objects.add(object);
        byObject.putIfAbsent(object, b);
    }

    private void index(Builder b, NameKey name) {
        b.names.add(name);
        byName.putIfAbsent(name, b);
    }

    private Fid fid(long vnode) {
        Fid known = fids.get(vnode);
        if (known != null) {
            return known;
        }
        for (Map<Long, VnodeRecord> m : images.values()) {
            VnodeRecord r = m.get(vnode);
            if (r != null) {
                return new Fid(volumeId, vnode, r.unique());
            }
        }
        return new Fid(volumeId, vnode, 0);
    }

    private void learnFids(VolumeEvent event) {
        List<Fid> named = new ArrayList<>();
        if (event instanceof VolumeEvent.FileCreated e) {
            named.add(e.file());
        } else if (event instanceof VolumeEvent.DirectoryCreated e) {
            named.add(e.directory());
        } else if (event instanceof VolumeEvent.SymlinkCreated e) {
            named.add(e.symlink());
        } else if (event instanceof VolumeEvent.LinkAdded e) {
            named.add(e.target());
        } else if (event instanceof VolumeEvent.EntryRemoved e) {
            named.add(e.removed());
        } else if (event instanceof VolumeEvent.DirectoryRemoved e) {
            named.add(e.removed());
        } else if (event instanceof VolumeEvent.Renamed e) {
            named.add(e.moved());
            named.add(e.replaced());
        } else if (event instanceof VolumeEvent.AttributesSet e) {
            named.add(e.fid());
        } else if (event instanceof VolumeEvent.ContentStored e) {
            named.add(e.fid());
        }
        named.stream().filter(f -> f != null).forEach(f -> fids.putIfAbsent(f.vnode(), f));
    }

    /** vnode -> a path, from the directories the replicas reported (the first replica that names it). */
    private Map<Long, String> pathIndex() {
        Map<Long, long[]> up = new TreeMap<>();
        Map<Long, String> nameOf = new HashMap<>();
        images.values().forEach(m -> m.values().forEach(dir -> dir.entries().forEach(e -> {
            if (!up.containsKey(e.vnode())) {
                up.put(e.vnode(), new long[] {dir.vnode()});
                nameOf.put(e.vnode(), e.name());
            }
        })));
        Map<Long, String> paths = new HashMap<>();
        for (Long vnode : up.keySet()) {
            StringBuilder path = new StringBuilder();
            long v = vnode;
            int depth = 0;
            while (v != Fid.ROOT_VNODE && up.containsKey(v) && depth++ < 4096) {
                path.insert(0, "/" + nameOf.get(v));
                v = up.get(v)[0];
            }
            paths.put(vnode, v == Fid.ROOT_VNODE ? path.toString() : "?" + path);
        }
        paths.put(Fid.ROOT_VNODE, "");
        return paths;
    }

    private static String dirPath(Map<Long, String> paths, long dir) {
        return paths.getOrDefault(dir, "?");
    }
}
