package dev.strand.volume;

import dev.strand.protocol.Names;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.NotASymlinkException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.FileType;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.ReadLink;
import dev.strand.protocol.message.ReadLinkReply;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.Walk;
import dev.strand.protocol.message.WalkReply;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The read requests, answered from a volume's state without changing it. Failures are the protocol's
 * exceptions; an object or a name in conflict is CONFLICT (checked here for every read). Permission checks for reads join here when authentication lands (until then all is allowed).
 */
public final class VolumeReads {

    /** Most names one WALK may carry (a path of 4096 one-letter names is already PATH_MAX). */
    public static final int MAX_WALK_NAMES = 4096;

    /**
     * Most UTF-8 bytes the names of one WALK may hold together (16 times PATH_MAX), so that the request fits one
     * message between nodes: the connection checks it before forwarding ({@link #checkWalkSize}).
     */
    public static final int MAX_WALK_BYTES = 64 * 1024;

    /** Upper bound of the CBOR bytes of one READ_DIR entry besides its name (checked by FrameSizeTest). */
    public static final int DIR_ENTRY_BYTES = 96;

    /** Upper bound of the CBOR bytes of an entry's attributes besides the owner (checked by FrameSizeTest). */
    public static final int ATTR_BYTES = 224;

    private VolumeReads() {}

    /** The reply to a read request, or null if {@code request} is not a read; pages fit the default frame. */
    public static Reply answer(Volume volume, Request request) {
        return answer(volume, request, FrameBudget.DEFAULT.pageBytes());
    }

    /** As {@link #answer(Volume, Request)}, a READ_DIR page cut at about {@code pageBytes}. */
    public static Reply answer(Volume volume, Request request, int pageBytes) {
        if (request instanceof GetAttr r) {
            return volume.attr(object(volume, r.fid()));
        }
        if (request instanceof Walk r) {
            return walk(volume, r);
        }
        if (request instanceof ReadDir r) {
            return readDir(volume, r, pageBytes);
        }
        if (request instanceof ReadLink r) {
            return readLink(volume, r);
        }
        return null;
    }

    /**
     * Looks names up one after another from {@code start}. "." stays, ".." goes to the parent (the root's
     * is the root). Stops early at a symbolic link that is not the last name, so the client can follow it.
     */
    public static WalkReply walk(Volume volume, Walk walk) {
        List<String> names = walk.names() == null ? List.of() : walk.names();
        checkWalkSize(walk);
        for (String name : names) {
            if (!isDotOrDotDot(name)) {
                Names.checkEntryName(name);
            }
        }
        Vnode current = object(volume, walk.start());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!current.isDirectory()) {
                throw new NotADirectoryException(volume.fid(current) + " is not a directory (looking up '"
                        + name + "')");
            }
            if (name.equals("..")) {
                current = volume.vnode(current.parent());
            } else if (!name.equals(".")) {
                volume.requireNoConflict(current, name);
                DirectoryEntry entry = current.entry(name);
                if (entry == null) {
                    throw new NotFoundException("no entry '" + name + "' in directory " + volume.fid(current));
                }
                current = volume.vnode(entry);
            }
            volume.requireNoConflict(current);
            if (current.type() == FileType.SYMLINK && i < names.size() - 1) {
                return new WalkReply(i + 1, volume.attr(current));
            }
        }
        return new WalkReply(names.size(), volume.attr(current));
    }

    /** INVALID_ARGUMENT for a WALK of more than {@link #MAX_WALK_NAMES} names or {@link #MAX_WALK_BYTES} bytes. */
    public static void checkWalkSize(Walk walk) {
        List<String> names = walk.names() == null ? List.of() : walk.names();
        if (names.size() > MAX_WALK_NAMES) {
            throw new InvalidArgumentException("walk of " + names.size() + " names exceeds " + MAX_WALK_NAMES);
        }
        long bytes = 0;
        for (String name : names) {
            bytes += name == null ? 0 : FrameBudget.utf8Bytes(name);
        }
        if (bytes > MAX_WALK_BYTES) {
            throw new InvalidArgumentException("walk of " + bytes + " bytes of names exceeds " + MAX_WALK_BYTES);
        }
    }

    /** One page of entries in name order after {@code after}; a limit outside 1..max means the max. */
    public static ReadDirReply readDir(Volume volume, ReadDir request) {
        return readDir(volume, request, FrameBudget.DEFAULT.pageBytes());
    }

    /**
     * As {@link #readDir(Volume, ReadDir)}; the page also ends before its entries' estimated size exceeds
     * {@code pageBytes} (at least one entry), so that it fits in one message between nodes whatever the
     * names' lengths. Clients page on until {@code eof}.
     */
    public static ReadDirReply readDir(Volume volume, ReadDir request, int pageBytes) {
        Vnode dir = volume.resolveDirectory(request.dir());
        volume.requireNoConflict(dir);
        int limit = request.limit() <= 0 || request.limit() > ProtocolLimits.MAX_READDIR_ENTRIES
                ? ProtocolLimits.MAX_READDIR_ENTRIES : request.limit();
        NavigableMap<String, DirectoryEntry> entries = request.after() == null
                ? dir.entries() : dir.entries().tailMap(request.after(), false);
        List<DirEntry> page = new ArrayList<>(Math.min(limit, entries.size()));
        Iterator<Map.Entry<String, DirectoryEntry>> it = entries.entrySet().iterator();
        int left = pageBytes;
        boolean full = false;
        while (page.size() < limit && it.hasNext()) {
            Map.Entry<String, DirectoryEntry> e = it.next();
            DirectoryEntry entry = e.getValue();
            Vnode vnode = request.withAttrs() ? volume.vnode(entry) : null;
            int cost = DIR_ENTRY_BYTES + FrameBudget.text(e.getKey())
                    + (vnode == null ? 0 : ATTR_BYTES + FrameBudget.text(vnode.owner()));
            if (cost > left && !page.isEmpty()) {
                full = true; // this entry starts the next page
                break;
            }
            left -= cost;
            page.add(new DirEntry(e.getKey(), entry.fid(volume.volumeId()), entry.type(),
                    vnode == null ? null : volume.attr(vnode)));
        }
        return new ReadDirReply(List.copyOf(page), !full && !it.hasNext());
    }

    public static ReadLinkReply readLink(Volume volume, ReadLink request) {
        Vnode link = object(volume, request.fid());
        if (link.type() != FileType.SYMLINK) {
            throw new NotASymlinkException(request.fid() + " is not a symbolic link");
        }
        return new ReadLinkReply(link.symlinkTarget());
    }

    /**
     * The regular file a STORE writes or a FETCH reads: as {@link Volume#resolveRegularFile}, and CONFLICT if it is in
     * conflict (checked here, with the other reads, not by each handler).
     */
    public static Vnode regularFile(Volume volume, Fid fid) {
        Vnode file = volume.resolveRegularFile(fid);
        volume.requireNoConflict(file);
        return file;
    }

    /** The object {@code fid} names, unless it is in conflict (CONFLICT). */
    private static Vnode object(Volume volume, Fid fid) {
        Vnode vnode = volume.resolve(fid);
        volume.requireNoConflict(vnode);
        return vnode;
    }

    private static boolean isDotOrDotDot(String name) {
        return ".".equals(name) || "..".equals(name);
    }
}
