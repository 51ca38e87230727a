package dev.strand.it.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strand.it.server.SharedStrandServer;
import dev.strand.ops.StrandMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The `strand` command against a real server: what a script sees (exit codes, JSON, messages). */
class CliIT {
    private static String volume;

    record Run(int exit, String out, String err) {}

    private static Run strand(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--server=" + SharedStrandServer.address());
        all.add("--no-progress");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = StrandMain.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void volume() {
        volume = SharedStrandServer.uniqueVolumeName("cli");
        assertThat(strand("volume", "create", volume).exit()).isZero();
    }

    @Test
    void volumeListAsJsonNamesTheVolume() throws Exception {
        Run run = strand("volume", "list", "--json");
        assertThat(run.exit()).isZero();
        JsonNode volumes = new ObjectMapper().readTree(run.out());
        List<String> names = new ArrayList<>();
        volumes.forEach(v -> names.add(v.get("name").asText()));
        assertThat(names).contains(volume);
    }

    @Test
    void putThenGetGivesBackTheSameFile(@TempDir Path dir) throws Exception {
        byte[] bytes = new byte[700_000];
        new Random(1).nextBytes(bytes);
        Path local = Files.write(dir.resolve("local.bin"), bytes);
        assertThat(strand("mkdir", "-p", "/" + volume + "/a/b").exit()).isZero();
        assertThat(strand("put", local.toString(), "/" + volume + "/a/b/f.bin").exit()).isZero();
        Path copy = dir.resolve("copy.bin");
        assertThat(strand("get", "/" + volume + "/a/b/f.bin", copy.toString()).exit()).isZero();
        assertThat(Files.readAllBytes(copy)).isEqualTo(bytes);

        Run ls = strand("ls", "-l", "/" + volume + "/a/b");
        assertThat(ls.exit()).isZero();
        assertThat(ls.out()).contains("f.bin").contains("700000").contains("-rw-r--r--");
    }

    @Test
    void statAsJsonHasStableFields() throws Exception {
        strand("mkdir", "/" + volume + "/statted");
        Run run = strand("stat", "--json", "/" + volume + "/statted");
        assertThat(run.exit()).isZero();
        JsonNode stat = new ObjectMapper().readTree(run.out());
        JsonNode node = stat.isArray() ? stat.get(0) : stat;
        assertThat(node.get("type").asText()).isEqualTo("dir");
        assertThat(node.get("fid").asText()).isNotEmpty();
    }

    @Test
    void aMissingPathExitsWith3AndSaysWhich() {
        Run run = strand("stat", "/" + volume + "/nope");
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.err()).contains("/" + volume + "/nope").contains("NOT_FOUND");
    }

    @Test
    void anExistingVolumeExitsWith4() {
        assertThat(strand("volume", "create", volume).exit()).isEqualTo(4);
    }

    @Test
    void removingANonEmptyDirectoryWithoutRExitsWith5() {
        strand("mkdir", "-p", "/" + volume + "/full/inner");
        Run run = strand("rm", "/" + volume + "/full");
        assertThat(run.exit()).isEqualTo(5);
        assertThat(strand("rm", "-r", "/" + volume + "/full").exit()).isZero();
        assertThat(strand("stat", "/" + volume + "/full").exit()).isEqualTo(3);
    }

    @Test
    void aServerThatIsNotThereExitsWith9() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = StrandMain.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute("volume", "list", "--server=127.0.0.1:1");
        assertThat(exit).isEqualTo(9);
        assertThat(err.toString()).contains("127.0.0.1:1");
    }

    @Test
    void linksMoveAndPermissionsWork() {
        String v = "/" + volume;
        strand("mkdir", v + "/l");
        assertThat(strand("ln", "-s", "target", v + "/l/sym").exit()).isZero();
        Run readlink = strand("ls", "-l", v + "/l");
        assertThat(readlink.out()).contains("sym -> target");
        strand("mkdir", v + "/l/d");
        assertThat(strand("chmod", "700", v + "/l/d").exit()).isZero();
        assertThat(strand("stat", v + "/l/d").out()).contains("0700");
        assertThat(strand("mv", v + "/l/d", v + "/l/e").exit()).isZero();
        assertThat(strand("stat", v + "/l/e").exit()).isZero();
    }
}
