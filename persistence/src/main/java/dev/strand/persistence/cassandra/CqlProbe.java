package dev.strand.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** Asks whether a Cassandra node answers CQL queries yet. */
final class CqlProbe {

    static final String LOCAL_DATACENTER = "datacenter1";

    private CqlProbe() {}

    /** True once {@code host:port} accepts a CQL session and answers a query on it. */
    static boolean answers(String host, int port) {
        // A plain connect first: cheap, and spares the driver's warnings while nothing listens.
        if (!acceptsConnections(host, port)) {
            return false;
        }
        try (CqlSession session = CqlSession.builder()
                .withConfigLoader(probeConfig())
                .addContactPoint(new InetSocketAddress(host, port))
                .withLocalDatacenter(LOCAL_DATACENTER)
                .build()) {
            return session.execute("SELECT release_version FROM system.local").one() != null;
        } catch (RuntimeException notReadyYet) {
            return false;
        }
    }

    static boolean acceptsConnections(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Driver defaults only: an application.conf on the classpath must not add other contact points. */
    private static DriverConfigLoader probeConfig() {
        OptionsMap options = OptionsMap.driverDefaults();
        options.put(TypedDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(5));
        options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(5));
        options.put(TypedDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(5));
        options.put(TypedDriverOption.METADATA_SCHEMA_ENABLED, false);
        options.put(TypedDriverOption.METADATA_TOKEN_MAP_ENABLED, false);
        return DriverConfigLoader.fromMap(options);
    }
}
