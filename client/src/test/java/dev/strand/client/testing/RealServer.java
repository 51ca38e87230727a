package dev.strand.client.testing;

import dev.strand.actors.testing.InProcessServer;
import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.protocol.error.NoSuchVolumeException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.message.DirEntry;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A real server in the test's JVM ({@link InProcessServer}) for the client's and the CLI's tests, and ways to look
 * at what it holds through a connection of their own. It starts in seconds, so a test class shares one and starts
 * each test from an empty volume ({@link #emptyVolume}): volumes cannot be removed, their contents can.
 */
public final class RealServer implements AutoCloseable {

    private final InProcessServer server;

    private RealServer(InProcessServer server) {
        this.server = server;
    }

    public static RealServer start() throws Exception {
        return new RealServer(InProcessServer.start());
    }

    public static RealServer start(com.typesafe.config.Config overrides) throws Exception {
        return new RealServer(InProcessServer.start(overrides));
    }

    public ClientSettings settings() {
        return ClientSettings.of(new ServerAddress("127.0.0.1", server.port()));
    }

    /** {@code 127.0.0.1:<port>}. */
    public String address() {
        return server.address();
    }

    /** Creates the volume if it does not exist yet and removes everything in it. */
    public void emptyVolume(String volume) {
        try (BlockingStrandClient client = BlockingStrandClient.connect(settings())) {
            try {
                client.volumeInfo(volume);
            } catch (NoSuchVolumeException e) {
                client.volumeCreate(volume, 1);
            }
            List<String> names = new ArrayList<>();
            client.list("/" + volume, true, false).forEachRemaining((DirEntry e) -> names.add(e.name()));
            for (String name : names) {
                client.rmRecursive("/" + volume + "/" + name);
            }
        }
    }

    /** The contents of the file a path names, read through a connection of its own. */
    public byte[] contents(String path) {
        try (BlockingStrandClient client = BlockingStrandClient.connect(settings())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            client.cat(path, out, null);
            return out.toByteArray();
        }
    }

    /** Whether a path names something (a final symbolic link itself), asked through a connection of its own. */
    public boolean exists(String path) {
        try (BlockingStrandClient client = BlockingStrandClient.connect(settings())) {
            client.stat(path);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /**
     * Marks the object a path names in conflict on every replica of its volume (see
     * {@link InProcessServer#markConflict}); the conflict's path is the one inside the volume.
     */
    public void markConflict(String path) throws Exception {
        try (BlockingStrandClient client = BlockingStrandClient.connect(settings())) {
            var attr = client.stat(path);
            String volume = path.substring(1, path.indexOf('/', 1));
            int replicas = client.volumeInfo(volume).replicas();
            server.markConflict(attr.fid(), replicas, path.substring(volume.length() + 1));
        }
    }

    /** Marks the name {@code path} in a NAME_NAME conflict (see {@link InProcessServer#markNameConflict}). */
    public void markNameConflict(String path) throws Exception {
        try (BlockingStrandClient client = BlockingStrandClient.connect(settings())) {
            var attr = client.stat(path);
            int slash = path.lastIndexOf('/');
            var dir = client.stat(path.substring(0, slash));
            String volume = path.substring(1, path.indexOf('/', 1));
            int replicas = client.volumeInfo(volume).replicas();
            server.markNameConflict(dir.fid(), path.substring(slash + 1), attr.fid(), replicas,
                    path.substring(volume.length() + 1));
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
