package dev.strand.client;

import dev.strand.protocol.error.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerAddressTest {

    @Test
    void hostAndPortAreParsed() {
        assertThat(ServerAddress.parse("files.example:9000")).isEqualTo(new ServerAddress("files.example", 9000));
    }

    @Test
    void aHostAloneGetsTheDefaultPort() {
        assertThat(ServerAddress.parse("files.example")).isEqualTo(new ServerAddress("files.example", 7411));
    }

    @Test
    void ipv6HostsAreWrittenInBrackets() {
        assertThat(ServerAddress.parse("[::1]:7000")).isEqualTo(new ServerAddress("::1", 7000));
        assertThat(new ServerAddress("::1", 7000)).hasToString("[::1]:7000");
    }

    @Test
    void aBadPortIsAnInvalidArgument() {
        assertThatThrownBy(() -> ServerAddress.parse("h:x")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ServerAddress.parse("h:70000")).isInstanceOf(InvalidArgumentException.class);
    }
}
