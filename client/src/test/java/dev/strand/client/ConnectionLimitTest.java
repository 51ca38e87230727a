package dev.strand.client;

import com.typesafe.config.ConfigFactory;
import dev.strand.client.testing.RealServer;
import dev.strand.protocol.error.UnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A server at its connection limit says so, and the client passes on what it said. */
class ConnectionLimitTest {

    private static RealServer server;

    @BeforeAll
    static void start() throws Exception {
        server = RealServer.start(ConfigFactory.parseString("strand.connections.max-connections = 1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aConnectionRefusedAtTheLimitFailsWithTheServersStatusAndMessage() {
        try (StrandConnection first = StrandConnection.connect(server.settings())) {
            assertThatThrownBy(() -> StrandConnection.connect(server.settings()))
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("closed by the server")
                    .hasMessageContaining("connections open, its limit");
            assertThat(first.isConnected()).as("the connection already open carries on").isTrue();
        }
    }
}
