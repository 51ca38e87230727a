package dev.strand.volume;

import dev.strand.protocol.error.ConflictException;
import dev.strand.protocol.message.Fid;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * RESOLUTION: a replica's conflicts, in the order they were marked, indexed by object (vnode number) and by name, so
 * that the check every read and mutation makes costs two hash lookups (none while the table is empty). Changed only by
 * {@link Volume}'s event handler ({@link VolumeEvent.ConflictsMarked}, {@link VolumeEvent.ConflictRepaired}, {@link VolumeEvent.ConflictsAdopted}); travels in
 * the snapshot. Bounded: resolution marks no more than {@link #MAX_CONFLICTS} (a plan with more stays undone).
 */
public final class ConflictTable {

    /** Most conflicts a replica holds (each about 300 bytes in the snapshot with short paths). */
    public static final int MAX_CONFLICTS = 1000;

    private final List<ConflictRecord> records = new ArrayList<>();
    private final Map<Long, ConflictRecord> byObject = new HashMap<>();
    private final Map<NameKey, ConflictRecord> byName = new HashMap<>();

    private record NameKey(long dir, String name) {}

    ConflictTable() {}

    static ConflictTable restored(List<ConflictRecord> records) {
        ConflictTable table = new ConflictTable();
        records.forEach(table::add);
        return table;
    }

    public int size() {
        return records.size();
    }

    public boolean isEmpty() {
        return records.isEmpty();
    }

    /** Every conflict, in the order marked (read-only). */
    public List<ConflictRecord> records() {
        return List.copyOf(records);
    }

    /** The conflict {@code vnode} is in, or null. */
    public ConflictRecord ofObject(long vnode) {
        return records.isEmpty() ? null : byObject.get(vnode);
    }

    /** The conflict entry {@code name} of directory {@code dir} is in, or null. */
    public ConflictRecord ofName(long dir, String name) {
        return records.isEmpty() ? null : byName.get(new NameKey(dir, name));
    }

    /** Every conflict that names {@code vnode} as an object or as the directory of a name. */
    public List<ConflictRecord> involving(long vnode) {
        return records.stream().filter(r -> r.objects().stream().anyMatch(f -> f.vnode() == vnode)
                || r.names().stream().anyMatch(n -> n.dir().vnode() == vnode)).toList();
    }

    /** CONFLICT if {@code vnode} is in conflict. */
    void requireNone(Volume volume, Vnode vnode) {
        ConflictRecord r = vnode == null ? null : ofObject(vnode.number());
        if (r != null) {
            Fid fid = volume.fid(vnode);
            String path = r.pathOf(fid);
            throw new ConflictException(fid + (path == null ? "" : " (" + path + ")") + " is in conflict: "
                    + r.describe() + "; see 'strand repair list'");
        }
    }

    /** CONFLICT if entry {@code name} of {@code dir} is in conflict. */
    void requireNone(Volume volume, Vnode dir, String name) {
        ConflictRecord r = dir == null || name == null ? null : ofName(dir.number(), name);
        if (r != null) {
            throw new ConflictException("'" + name + "' in directory " + volume.fid(dir) + " is in conflict: "
                    + r.describe() + "; see 'strand repair list'");
        }
    }

    // ---- changed by the event handler only ----------------------------------------------------

    void add(ConflictRecord record) {
        if (records.contains(record)) { // marked again by a resolution that ran twice: once is enough
            return;
        }
        records.add(record);
        record.objects().forEach(f -> byObject.putIfAbsent(f.vnode(), record));
        record.names().forEach(n -> byName.putIfAbsent(new NameKey(n.dir().vnode(), n.name()), record));
    }

    /**
     * Removes every conflict that names {@code object}'s vnode (by number: a conflict may name an object whose
     * uniquifier resolution did not know).
     */
    void repaired(Fid object) {
        records.removeIf(r -> r.objects().stream().anyMatch(f -> f.vnode() == object.vnode()));
        reindex();
    }

    /** Removes every conflict that names entry {@code n} of {@code dir} (n in {@code names}) or one of {@code objects}. */
    void repairedNames(Fid dir, List<String> names, List<Fid> objects) {
        records.removeIf(r -> r.names().stream().anyMatch(n -> n.dir().vnode() == dir.vnode()
                && names.contains(n.name())) || r.objects().stream().anyMatch(f -> objects.stream()
                .anyMatch(o -> o.vnode() == f.vnode())));
        reindex();
    }

    private void reindex() {
        byObject.clear();
        byName.clear();
        List<ConflictRecord> kept = List.copyOf(records);
        records.clear();
        kept.forEach(this::add);
    }
}
