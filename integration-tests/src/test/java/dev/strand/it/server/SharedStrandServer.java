package dev.strand.it.server;

import dev.strand.it.support.SharedCassandra;
import dev.strand.ops.StrandServer;
import dev.strand.ops.management.ManagementSettings;

import java.nio.file.Path;

/**
 * One in-process Strand server per test run, on the shared Cassandra, on a free port. Tests that share it use
 * volumes of their own (see {@link #uniqueVolumeName}) so they cannot see each other's files.
 */
public final class SharedStrandServer {
    private static StrandServer server;
    private static int volumes;

    private SharedStrandServer() {}

    public static synchronized StrandServer get() {
        if (server == null) {
            StrandServer.ServerSettings settings = StrandServer.ServerSettings.defaults()
                    .withPort(0)
                    .withDataDir(Path.of("target", "it-server"))
                    .withKeyspace("strand_it")
                    .withExternalCassandra(SharedCassandra.host(), SharedCassandra.port());
            server = StrandServer.start(settings, ManagementSettings.defaults().withPort(0));
        }
        return server;
    }

    public static int port() {
        return get().port();
    }

    public static String address() {
        return "127.0.0.1:" + port();
    }

    /** A volume name no other test in this run uses. */
    public static synchronized String uniqueVolumeName(String prefix) {
        return prefix + "-" + (++volumes);
    }
}
