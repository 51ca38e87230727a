package dev.strand.conflictrepair;

import dev.strand.volume.VolumeEvent;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What one logged operation does, in the terms {@link MergeRules} compares: names it binds and unbinds, objects
 * it creates, removes, changes the data of, and every object it touches (a directory whose entries it changes
 * counts as touched). Vnodes are compared by number; fids with their uniquifiers stay in the events.
 */
record OpEffects(Set<NameKey> binds, Set<NameKey> unbinds, Set<Long> creates, Set<Long> removes,
                 Set<Long> dataChanges, Set<Long> touches) {

    /** A directory entry, by the directory's vnode number. */
    record NameKey(long dir, String name) {}

    static boolean isLogged(VolumeEvent e) {
        return e instanceof VolumeEvent.FileCreated || e instanceof VolumeEvent.DirectoryCreated
                || e instanceof VolumeEvent.SymlinkCreated || e instanceof VolumeEvent.LinkAdded
                || e instanceof VolumeEvent.EntryRemoved || e instanceof VolumeEvent.DirectoryRemoved
                || e instanceof VolumeEvent.Renamed || e instanceof VolumeEvent.AttributesSet
                || e instanceof VolumeEvent.ContentStored;
    }

    static OpEffects of(VolumeEvent event) {
        Set<NameKey> binds = new LinkedHashSet<>();
        Set<NameKey> unbinds = new LinkedHashSet<>();
        Set<Long> creates = new LinkedHashSet<>();
        Set<Long> removes = new LinkedHashSet<>();
        Set<Long> data = new LinkedHashSet<>();
        Set<Long> touches = new LinkedHashSet<>();
        if (event instanceof VolumeEvent.FileCreated e) {
            created(e.dir().vnode(), e.name(), e.file().vnode(), binds, creates, touches);
        } else if (event instanceof VolumeEvent.DirectoryCreated e) {
            created(e.dir().vnode(), e.name(), e.directory().vnode(), binds, creates, touches);
        } else if (event instanceof VolumeEvent.SymlinkCreated e) {
            created(e.dir().vnode(), e.name(), e.symlink().vnode(), binds, creates, touches);
        } else if (event instanceof VolumeEvent.LinkAdded e) {
            binds.add(new NameKey(e.dir().vnode(), e.name()));
            touches.add(e.dir().vnode());
            touches.add(e.target().vnode());
        } else if (event instanceof VolumeEvent.EntryRemoved e) {
            unbinds.add(new NameKey(e.dir().vnode(), e.name()));
            touches.add(e.dir().vnode());
            touches.add(e.removed().vnode());
            if (e.lastLink()) {
                removes.add(e.removed().vnode());
            }
        } else if (event instanceof VolumeEvent.DirectoryRemoved e) {
            unbinds.add(new NameKey(e.dir().vnode(), e.name()));
            touches.add(e.dir().vnode());
            touches.add(e.removed().vnode());
            removes.add(e.removed().vnode());
        } else if (event instanceof VolumeEvent.Renamed e) {
            unbinds.add(new NameKey(e.fromDir().vnode(), e.fromName()));
            binds.add(new NameKey(e.toDir().vnode(), e.toName()));
            touches.add(e.fromDir().vnode());
            touches.add(e.toDir().vnode());
            touches.add(e.moved().vnode());
            if (e.replaced() != null) {
                touches.add(e.replaced().vnode());
                if (e.replacedLastLink()) {
                    removes.add(e.replaced().vnode());
                }
            }
        } else if (event instanceof VolumeEvent.AttributesSet e) {
            data.add(e.fid().vnode());
            touches.add(e.fid().vnode());
        } else if (event instanceof VolumeEvent.ContentStored e) {
            data.add(e.fid().vnode());
            touches.add(e.fid().vnode());
        } else {
            throw new IllegalArgumentException("not a logged operation: " + event);
        }
        return new OpEffects(binds, unbinds, creates, removes, data, touches);
    }

    private static void created(long dir, String name, long created, Set<NameKey> binds, Set<Long> creates,
                                Set<Long> touches) {
        binds.add(new NameKey(dir, name));
        creates.add(created);
        touches.add(dir);
        touches.add(created);
    }

    /** A namespace operation (replayed); the others change data (taken from the replica that has them all). */
    boolean isNamespace() {
        return dataChanges.isEmpty();
    }
}
