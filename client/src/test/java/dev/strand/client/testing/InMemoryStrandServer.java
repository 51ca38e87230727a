package dev.strand.client.testing;

import dev.strand.client.ClientSettings;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Names;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.ChangedException;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.error.ExistsException;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.InvalidMoveException;
import dev.strand.protocol.error.IsADirectoryException;
import dev.strand.protocol.error.NoSuchVolumeException;
import dev.strand.protocol.error.NotADirectoryException;
import dev.strand.protocol.error.NotASymlinkException;
import dev.strand.protocol.error.NotEmptyException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.error.VolumeExistsException;
import dev.strand.protocol.message.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small in-memory Strand server for tests: volumes, directories, files, symbolic links and hard links with
 * the protocol's semantics as far as tests need them. Contents are held in memory: keep files small.
 */
public final class InMemoryStrandServer implements AutoCloseable {
    /** Bytes per DATA frame of a fetch; small, so tests see several frames. */
    public static final int FETCH_CHUNK = 64 * 1024;

    private final FakeServer server;
    private final Map<String, Volume> volumes = new TreeMap<>();
    /** Request ids are per connection, so uploads are known by connection and id. */
    private record UploadKey(FakeServer.Session session, long requestId) {}

    private final Map<UploadKey, ByteArrayOutputStream> uploads = new HashMap<>();
    private final Map<UploadKey, Store> uploadRequests = new HashMap<>();
    private long nextVolumeId = 1;
    private long clock = 1_700_000_000_000L;

    public InMemoryStrandServer() throws IOException {
        server = new FakeServer(this::onFrame);
    }

    public ClientSettings settings() {
        return server.settings();
    }

    public FakeServer fakeServer() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }

    /** The contents of a file, looked up by a plain path without links (for assertions). */
    public synchronized byte[] contents(String path) {
        Node node = nodeAt(path);
        return node.data.toByteArray();
    }

    /** Whether a plain path without links names something (for assertions). */
    public synchronized boolean exists(String path) {
        try {
            nodeAt(path);
            return true;
        } catch (StrandException e) {
            return false;
        }
    }

    private Node nodeAt(String path) {
        String[] parts = path.substring(1).split("/");
        Volume v = volume(parts[0]);
        Node node = v.node(Fid.root(v.id));
        for (int i = 1; i < parts.length; i++) {
            node = v.node(node.child(parts[i]));
        }
        return node;
    }

    // ---- frames ---------------------------------------------------------------------------------

    private synchronized void onFrame(Frame frame, FakeServer.Session session) throws IOException {
        long id = frame.requestId();
        UploadKey key = new UploadKey(session, id);
        try {
            if (frame.type() == FrameType.DATA) {
                ByteArrayOutputStream upload = uploads.get(key);
                if (upload != null) {
                    upload.write(frame.body());
                }
                return;
            }
            if (frame.type() == FrameType.DATA_END) {
                finishStore(frame, session);
                return;
            }
            Opcode op = Opcode.fromCode(frame.opcode());
            Request request = WireCodec.decode(frame.body(), op.requestType());
            if (request instanceof Store store) {
                Volume v = volume(store.fid());
                Node node = v.node(store.fid());
                if (node.type != FileType.FILE) {
                    throw node.type == FileType.DIRECTORY ? new IsADirectoryException("is a directory")
                            : new InvalidArgumentException("not a regular file");
                }
                uploads.put(key, new ByteArrayOutputStream());
                uploadRequests.put(key, store);
                return;
            }
            if (request instanceof Fetch fetch) {
                sendFetch(frame, fetch, session);
                return;
            }
            Reply reply = execute(request);
            session.send(Frame.reply(frame.opcode(), id, WireCodec.encode(reply)));
        } catch (StrandException e) {
            uploads.remove(key);
            uploadRequests.remove(key);
            session.send(Frame.error(frame.opcode(), id, WireCodec.encode(e.toErrorBody())));
        }
    }

    private void finishStore(Frame frame, FakeServer.Session session) throws IOException {
        long id = frame.requestId();
        UploadKey key = new UploadKey(session, id);
        ByteArrayOutputStream upload = uploads.remove(key);
        Store store = uploadRequests.remove(key);
        if (upload == null) {
            return;
        }
        StoreEnd end = WireCodec.decode(frame.body(), StoreEnd.class);
        if (end.length() != upload.size() || (store.expectedLength() >= 0 && store.expectedLength() != upload.size())) {
            throw new BadRequestException("store of " + upload.size() + " bytes announced " + store.expectedLength()
                    + " and ended with " + end.length());
        }
        Volume v = volume(store.fid());
        Node node = v.node(store.fid());
        node.data = upload;
        node.touch();
        session.send(Frame.reply(Opcode.STORE.code(), id, WireCodec.encode(node.attr())));
    }

    private void sendFetch(Frame frame, Fetch fetch, FakeServer.Session session) throws IOException {
        Volume v = volume(fetch.fid());
        Node node = v.node(fetch.fid());
        if (node.type != FileType.FILE) {
            throw node.type == FileType.DIRECTORY ? new IsADirectoryException("is a directory")
                    : new InvalidArgumentException("not a regular file");
        }
        if (fetch.expectDataVersion() != null && fetch.expectDataVersion() != node.version) {
            throw new ChangedException(fetch.fid() + " is at data version " + node.version + ", not "
                    + fetch.expectDataVersion());
        }
        byte[] all = node.data.toByteArray();
        int from = (int) Math.min(all.length, fetch.offset());
        int to = fetch.length() < 0 ? all.length : (int) Math.min(all.length, from + fetch.length());
        for (int pos = from; pos < to; pos += FETCH_CHUNK) {
            int end = Math.min(to, pos + FETCH_CHUNK);
            byte[] chunk = new byte[end - pos];
            System.arraycopy(all, pos, chunk, 0, chunk.length);
            session.send(Frame.data(frame.opcode(), frame.requestId(), chunk));
        }
        session.send(Frame.reply(frame.opcode(), frame.requestId(),
                WireCodec.encode(new FetchReply(node.attr(), to - from))));
    }

    private Reply execute(Request request) {
        if (request instanceof Hello) {
            return new HelloReply(ProtocolLimits.PROTOCOL_VERSION, "strand", "memory-1", 1, 1,
                    ProtocolLimits.MAX_BODY_LENGTH, ProtocolLimits.MAX_REQUESTS_IN_FLIGHT);
        }
        if (request instanceof Farewell) {
            return Empty.INSTANCE;
        }
        if (request instanceof Ping ping) {
            return new Pong(ping.nonce());
        }
        if (request instanceof VolumeCreate create) {
            Names.checkVolumeName(create.name());
            if (volumes.containsKey(create.name())) {
                throw new VolumeExistsException("volume " + create.name() + " exists");
            }
            Volume v = new Volume(nextVolumeId++, create.name(), Math.max(1, create.replicas()));
            volumes.put(v.name, v);
            return v.info();
        }
        if (request instanceof VolumeList) {
            return new VolumeListReply(volumes.values().stream().map(Volume::info).toList());
        }
        if (request instanceof VolumeInfoRequest info) {
            return volume(info.name()).info();
        }
        if (request instanceof GetAttr get) {
            return volume(get.fid()).node(get.fid()).attr();
        }
        if (request instanceof Validate validate) { // one replica, which always agrees with itself
            Attr attr = volume(validate.fid()).node(validate.fid()).attr();
            return new ValidateReply(java.util.List.of(new ReplicaVersionInfo(0, "in-memory", true,
                    attr.versionVector(), attr.dataVersion(), null)), true);
        }
        if (request instanceof Walk walk) {
            return walk(walk);
        }
        if (request instanceof ReadDir readDir) {
            return readDir(readDir);
        }
        if (request instanceof ReadLink readLink) {
            Node node = volume(readLink.fid()).node(readLink.fid());
            if (node.type != FileType.SYMLINK) {
                throw new NotASymlinkException("not a symbolic link");
            }
            return new ReadLinkReply(node.target);
        }
        if (request instanceof Create create) {
            Volume v = volume(create.dir());
            Node dir = v.directory(create.dir());
            Names.checkEntryName(create.name());
            Fid existing = dir.entries.get(create.name());
            if (existing != null) {
                Node node = v.node(existing);
                if (create.exclusive() || node.type != FileType.FILE) {
                    throw new ExistsException(create.name() + " exists");
                }
                return node.attr();
            }
            Node file = v.newNode(FileType.FILE, create.mode());
            dir.add(create.name(), file, v);
            return file.attr();
        }
        if (request instanceof MkDir mkDir) {
            Volume v = volume(mkDir.dir());
            Node dir = v.directory(mkDir.dir());
            Names.checkEntryName(mkDir.name());
            if (dir.entries.containsKey(mkDir.name())) {
                throw new ExistsException(mkDir.name() + " exists");
            }
            Node child = v.newNode(FileType.DIRECTORY, mkDir.mode());
            child.parent = dir.fid;
            dir.add(mkDir.name(), child, v);
            return child.attr();
        }
        if (request instanceof Symlink symlink) {
            Volume v = volume(symlink.dir());
            Node dir = v.directory(symlink.dir());
            Names.checkEntryName(symlink.name());
            Names.checkSymlinkTarget(symlink.target());
            if (dir.entries.containsKey(symlink.name())) {
                throw new ExistsException(symlink.name() + " exists");
            }
            Node link = v.newNode(FileType.SYMLINK, 0777);
            link.target = symlink.target();
            dir.add(symlink.name(), link, v);
            return link.attr();
        }
        if (request instanceof Link link) {
            Volume v = volume(link.dir());
            Node dir = v.directory(link.dir());
            Names.checkEntryName(link.name());
            Node target = v.node(link.target());
            if (target.type == FileType.DIRECTORY) {
                throw new IsADirectoryException("cannot hard-link a directory");
            }
            if (dir.entries.containsKey(link.name())) {
                throw new ExistsException(link.name() + " exists");
            }
            dir.add(link.name(), target, v);
            return target.attr();
        }
        if (request instanceof Remove remove) {
            Volume v = volume(remove.dir());
            Node dir = v.directory(remove.dir());
            Node node = v.node(dir.child(remove.name()));
            if (node.type == FileType.DIRECTORY) {
                throw new IsADirectoryException(remove.name() + " is a directory");
            }
            dir.unlink(remove.name(), node, v);
            return Empty.INSTANCE;
        }
        if (request instanceof RmDir rmDir) {
            Volume v = volume(rmDir.dir());
            Node dir = v.directory(rmDir.dir());
            Node node = v.node(dir.child(rmDir.name()));
            if (node.type != FileType.DIRECTORY) {
                throw new NotADirectoryException(rmDir.name() + " is not a directory");
            }
            if (!node.entries.isEmpty()) {
                throw new NotEmptyException(rmDir.name() + " is not empty");
            }
            dir.unlink(rmDir.name(), node, v);
            return Empty.INSTANCE;
        }
        if (request instanceof Rename rename) {
            return rename(rename);
        }
        if (request instanceof SetAttr setAttr) {
            Node node = volume(setAttr.fid()).node(setAttr.fid());
            if (setAttr.mode() != null) {
                node.mode = Names.checkMode(setAttr.mode());
            }
            if (setAttr.size() != null) {
                if (node.type != FileType.FILE) {
                    throw new IsADirectoryException("not a regular file");
                }
                byte[] old = node.data.toByteArray();
                ByteArrayOutputStream resized = new ByteArrayOutputStream();
                resized.write(old, 0, (int) Math.min(old.length, setAttr.size()));
                for (long i = old.length; i < setAttr.size(); i++) {
                    resized.write(0);
                }
                node.data = resized;
            }
            node.touch();
            return node.attr();
        }
        throw new BadRequestException("the in-memory server does not implement " + request.getClass().getSimpleName());
    }

    private WalkReply walk(Walk walk) {
        Volume v = volume(walk.start());
        Node node = v.node(walk.start());
        List<String> names = walk.names();
        for (int i = 0; i < names.size(); i++) {
            if (node.type != FileType.DIRECTORY) {
                throw new NotADirectoryException("not a directory");
            }
            node = v.node(node.child(names.get(i)));
            if (node.type == FileType.SYMLINK && i < names.size() - 1) {
                return new WalkReply(i + 1, node.attr());
            }
        }
        return new WalkReply(names.size(), node.attr());
    }

    private ReadDirReply readDir(ReadDir readDir) {
        Volume v = volume(readDir.dir());
        Node dir = v.directory(readDir.dir());
        int limit = Math.min(readDir.limit() <= 0 ? ProtocolLimits.MAX_READDIR_ENTRIES : readDir.limit(),
                ProtocolLimits.MAX_READDIR_ENTRIES);
        Map<String, Fid> rest = readDir.after() == null ? dir.entries : dir.entries.tailMap(readDir.after(), false);
        List<DirEntry> page = new ArrayList<>();
        for (Map.Entry<String, Fid> e : rest.entrySet()) {
            if (page.size() == limit) {
                return new ReadDirReply(page, false);
            }
            Node child = v.node(e.getValue());
            page.add(new DirEntry(e.getKey(), child.fid, child.type, readDir.withAttrs() ? child.attr() : null));
        }
        return new ReadDirReply(page, true);
    }

    private Reply rename(Rename rename) {
        Volume v = volume(rename.fromDir());
        Node from = v.directory(rename.fromDir());
        if (rename.toDir().volume() != v.id) {
            throw new dev.strand.protocol.error.CrossVolumeException("different volumes");
        }
        Node to = v.directory(rename.toDir());
        Names.checkEntryName(rename.toName());
        Node moving = v.node(from.child(rename.fromName()));
        if (moving.type == FileType.DIRECTORY) {
            for (Fid up = to.fid; up != null; up = v.node(up).parent) {
                if (up.equals(moving.fid)) {
                    throw new InvalidMoveException("cannot move a directory into itself");
                }
            }
        }
        Fid replaced = to.entries.get(rename.toName());
        if (replaced != null) {
            Node old = v.node(replaced);
            if (old == moving) {
                return Empty.INSTANCE;
            }
            if (old.type == FileType.DIRECTORY) {
                if (moving.type != FileType.DIRECTORY) {
                    throw new IsADirectoryException(rename.toName() + " is a directory");
                }
                if (!old.entries.isEmpty()) {
                    throw new NotEmptyException(rename.toName() + " is not empty");
                }
            } else if (moving.type == FileType.DIRECTORY) {
                throw new NotADirectoryException(rename.toName() + " is not a directory");
            }
            to.unlink(rename.toName(), old, v);
        }
        from.entries.remove(rename.fromName());
        to.entries.put(rename.toName(), moving.fid);
        if (moving.type == FileType.DIRECTORY) {
            moving.parent = to.fid;
        }
        from.touch();
        to.touch();
        return Empty.INSTANCE;
    }

    private Volume volume(String name) {
        Volume v = volumes.get(name);
        if (v == null) {
            throw new NoSuchVolumeException("no volume " + name);
        }
        return v;
    }

    private Volume volume(Fid fid) {
        for (Volume v : volumes.values()) {
            if (v.id == fid.volume()) {
                return v;
            }
        }
        throw new NoSuchVolumeException("no volume " + fid.volume());
    }

    private final class Volume {
        final long id;
        final String name;
        final int replicas;
        final long created = clock;
        final Map<Fid, Node> nodes = new HashMap<>();
        long nextVnode = Fid.ROOT_VNODE + 1;

        Volume(long id, String name, int replicas) {
            this.id = id;
            this.name = name;
            this.replicas = replicas;
            Node root = new Node(Fid.root(id), FileType.DIRECTORY, 0755);
            root.links = 2;
            nodes.put(root.fid, root);
        }

        VolumeInfo info() {
            long files = nodes.values().stream().filter(n -> n.type == FileType.FILE).count();
            long dirs = nodes.values().stream().filter(n -> n.type == FileType.DIRECTORY).count();
            long links = nodes.values().stream().filter(n -> n.type == FileType.SYMLINK).count();
            long bytes = nodes.values().stream().filter(n -> n.type == FileType.FILE).mapToLong(n -> n.data.size()).sum();
            return new VolumeInfo(name, id, Fid.root(id), replicas, created, files, dirs, links, bytes, List.of(1L));
        }

        Node newNode(FileType type, int mode) {
            Node node = new Node(new Fid(id, nextVnode++, 1), type, mode);
            nodes.put(node.fid, node);
            return node;
        }

        Node node(Fid fid) {
            Node node = nodes.get(fid);
            if (node == null) {
                throw new StaleException("no vnode " + fid);
            }
            return node;
        }

        Node directory(Fid fid) {
            Node node = node(fid);
            if (node.type != FileType.DIRECTORY) {
                throw new NotADirectoryException(fid + " is not a directory");
            }
            return node;
        }
    }

    private final class Node {
        final Fid fid;
        final FileType type;
        int mode;
        int links;
        long mtime = clock++;
        long version = 1;
        Fid parent;
        final TreeMap<String, Fid> entries = new TreeMap<>();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        String target;

        Node(Fid fid, FileType type, int mode) {
            this.fid = fid;
            this.type = type;
            this.mode = mode;
        }

        Fid child(String name) {
            Fid child = entries.get(name);
            if (child == null) {
                throw new NotFoundException("no such file or directory: " + name);
            }
            return child;
        }

        void add(String name, Node child, Volume v) {
            entries.put(name, child.fid);
            child.links += child.type == FileType.DIRECTORY ? 2 : 1;
            if (child.type == FileType.DIRECTORY) {
                links++;
            }
            touch();
        }

        void unlink(String name, Node child, Volume v) {
            entries.remove(name);
            child.links -= child.type == FileType.DIRECTORY ? 2 : 1;
            if (child.type == FileType.DIRECTORY) {
                links--;
            }
            if (child.links <= 0) {
                v.nodes.remove(child.fid);
            }
            touch();
        }

        void touch() {
            mtime = clock++;
            version++;
        }

        Attr attr() {
            long size = switch (type) {
                case FILE -> data.size();
                case DIRECTORY -> entries.size();
                case SYMLINK -> target.length();
            };
            return new Attr(fid, type, mode, size, links, "strand", mtime, mtime, version, List.of(version));
        }
    }
}
