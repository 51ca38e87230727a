package dev.strand.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class HelpTest {
    private static final String[] COMMANDS =
            {"volume", "ls", "stat", "mkdir", "put", "get", "cat", "mv", "rm", "ln", "chmod", "truncate", "bench"};

    private static String help(String... args) {
        CommandLine commandLine = StrandCommand.commandLine();
        StringWriter out = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        int code = commandLine.execute(args);
        assertThat(code).isZero();
        return out.toString();
    }

    @Test
    void theTopHelpListsEveryCommandAndTheExitCodes() {
        String help = help("--help");
        for (String command : COMMANDS) {
            assertThat(help).containsPattern("(?m)^\\s+" + command + "\\s+\\S");
        }
        assertThat(help).contains("Exit codes:", "--server=HOST:PORT", "STRAND_SERVER");
        for (String code : ExitCodes.descriptions().keySet()) {
            assertThat(help).containsPattern("(?m)^\\s+" + code + "\\s+\\S");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"volume", "ls", "stat", "mkdir", "put", "get", "cat", "mv", "rm", "ln", "chmod", "truncate", "bench"})
    void eachCommandsHelpDescribesItAndItsExitCodes(String command) {
        String help = help(command, "--help");
        assertThat(help).contains("Usage: strand " + command, "Exit codes:", "--server=HOST:PORT");
    }

    @Test
    void volumeSubcommandsHaveHelpToo() {
        assertThat(help("volume", "create", "--help")).contains("--replicas=N", "Create a volume.");
        assertThat(help("volume", "list", "--help")).contains("--json");
        assertThat(help("volume", "info", "--help")).contains("--json");
    }

    @Test
    void readCommandsOfferJson() {
        assertThat(help("ls", "--help")).contains("--json");
        assertThat(help("stat", "--help")).contains("--json");
        assertThat(help("bench", "--help")).contains("--json", "--out=FILE");
    }
}
