package dev.strand.cli;

import dev.strand.client.ServerAddress;
import dev.strand.protocol.error.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --server} (and STRAND_SERVER) name one server or several, separated by commas. */
class ServerListOptionTest {

    private static StrandCommand root(String... args) {
        return (StrandCommand) StrandCommand.commandLine().parseArgs(args).commandSpec().userObject();
    }

    @Test
    void severalServersAreTriedInTheOrderGiven() {
        StrandCommand root = root("--server", "a:1, b:2,[::1]:3", "ls");

        assertThat(root.clientSettings().servers()).containsExactly(new ServerAddress("a", 1),
                new ServerAddress("b", 2), new ServerAddress("::1", 3));
        assertThat(root.serverAddress()).isEqualTo(new ServerAddress("a", 1));
    }

    @Test
    void oneServerStaysOneServer() {
        assertThat(root("--server", "h:9", "ls").clientSettings().servers()).isEqualTo(List.of(new ServerAddress("h", 9)));
    }

    @Test
    void aListWithoutAnyAddressIsRefused() {
        assertThatThrownBy(() -> ServerAddress.parseList(" , ")).isInstanceOf(InvalidArgumentException.class);
    }
}
