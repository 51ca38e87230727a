package dev.strand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strand.client.testing.RealServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The strand command end to end, against a real server (one for the class, an empty volume per test). */
class StrandCliTest {
    private static RealServer server;
    private byte[] stdin = new byte[0];

    @TempDir
    Path tmp;

    record Run(int code, String out, String err, byte[] bytes) {
        JsonNode json() throws IOException {
            return Json.mapper().readTree(out);
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        server = RealServer.start();
        assertThat(new StrandCliTest().strand("volume", "create", "docs").code()).isZero();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void emptyDocs() {
        server.emptyVolume("docs");
    }

    private Run strand(String... args) {
        return strandAt(server.address(), args);
    }

    private Run strandAt(String address, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StrandCommand command = new StrandCommand().withStdio(new ByteArrayInputStream(stdin), bytes);
        CommandLine commandLine = StrandCommand.commandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--server", address));
        all.addAll(List.of(args));
        int code = commandLine.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString(), bytes.toByteArray());
    }

    @Test
    void statValidateShowsEveryReplicaAndWhetherTheyAgree() throws IOException {
        assertThat(strand("mkdir", "/docs/d").code()).isZero();

        JsonNode json = strand("stat", "--validate", "--json", "/docs/d").json();
        assertThat(json.get("agree").asBoolean()).isTrue();
        String node = json.get("replicas").get(0).get("node").asText();

        Run text = strand("stat", "--validate", "/docs/d");
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("REPLICA").contains(node).contains("Agree: yes");

        assertThat(json.get("replicas").get(0).get("index").asInt()).isZero();
        assertThat(json.get("replicas").get(0).get("versionVector").isArray()).isTrue();

        assertThat(strand("stat", "--validate", "/docs/missing").code()).isEqualTo(ExitCodes.NOT_FOUND);
    }

    @Test
    void volumeListAndInfoPrintJson() throws IOException {
        JsonNode list = strand("volume", "list", "--json").json();
        assertThat(list.isArray()).isTrue();
        assertThat(list.get(0).get("name").asText()).isEqualTo("docs");

        JsonNode info = strand("volume", "info", "docs", "--json").json();
        assertThat(info.get("name").asText()).isEqualTo("docs");
        assertThat(info.has("id")).isTrue();
        assertThat(info.get("root").asText()).endsWith(".1.1");
        assertThat(info.get("replicas").asInt()).isEqualTo(1);
    }

    @Test
    void putThenGetAndCatGiveBackTheSameBytes() throws IOException {
        byte[] content = new byte[700_000];
        new Random(7).nextBytes(content);
        Path local = tmp.resolve("local.bin");
        Files.write(local, content);

        assertThat(strand("put", local.toString(), "/docs/f.bin").code()).isZero();
        assertThat(strand("get", "/docs/f.bin", tmp.resolve("copy.bin").toString()).code()).isZero();
        Run cat = strand("cat", "/docs/f.bin");

        assertThat(Files.readAllBytes(tmp.resolve("copy.bin"))).isEqualTo(content);
        assertThat(cat.bytes()).isEqualTo(content);
    }

    @Test
    void putReadsStandardInputForDash() {
        stdin = "hello\n".getBytes(StandardCharsets.UTF_8);

        assertThat(strand("put", "-", "/docs/hello.txt").code()).isZero();

        assertThat(new String(strand("cat", "/docs/hello.txt").bytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
    }

    @Test
    void lsListsNamesAndTheTopListsVolumes() {
        strand("mkdir", "/docs/b", "/docs/a");

        assertThat(strand("ls", "/docs").out()).isEqualTo(String.format("a%nb%n"));
        assertThat(strand("ls", "/").out()).isEqualTo(String.format("docs%n"));
    }

    @Test
    void lsLongShowsModeLinksOwnerSizeTimeNameAndLinkTarget() {
        stdin = "hello".getBytes(StandardCharsets.UTF_8);
        strand("put", "-", "/docs/f");
        strand("mkdir", "/docs/d");
        strand("ln", "-s", "f", "/docs/l");

        List<String> lines = strand("ls", "-l", "/docs").out().lines().toList();

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("drwxr-xr-x 2 \\S+ \\d \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d d");
        assertThat(lines.get(1)).matches("-rw-r--r-- 1 \\S+ 5 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d f");
        assertThat(lines.get(2)).matches("lrwxrwxrwx 1 \\S+ 1 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d l -> f");
    }

    @Test
    void lsJsonIsAnArrayOfEntries() throws IOException {
        strand("mkdir", "/docs/d");

        JsonNode entries = strand("ls", "--json", "/docs").json();

        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("path").asText()).isEqualTo("/docs/d");
        assertThat(entries.get(0).get("type").asText()).isEqualTo("dir");
        assertThat(entries.get(0).get("permissions").asText()).isEqualTo("drwxr-xr-x");
    }

    @Test
    void statJsonHasStableFieldNames() throws IOException {
        strand("truncate", "-s", "1k", "/docs/f");

        JsonNode stat = strand("stat", "--json", "/docs/f").json();

        List<String> fields = new ArrayList<>();
        stat.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("path", "name", "type", "mode", "permissions", "size", "links", "owner",
                "mtime", "mtimeMillis", "ctimeMillis", "fid", "dataVersion", "versionVector");
        assertThat(stat.get("size").asLong()).isEqualTo(1024);
        assertThat(stat.get("mode").asText()).isEqualTo("0644");
    }

    @Test
    void aMissingPathIsReportedWithItsStatusAndExitsThree() {
        Run run = strand("stat", "/docs/nope");

        assertThat(run.code()).isEqualTo(3);
        assertThat(run.err()).startsWith("strand: /docs/nope: ").contains("(NOT_FOUND)");
    }

    @Test
    void anExistingNameExitsFour() {
        strand("mkdir", "/docs/d");

        Run run = strand("mkdir", "/docs/d");

        assertThat(run.code()).isEqualTo(4);
        assertThat(run.err()).contains("(EXISTS)");
    }

    @Test
    void removingADirectoryWithoutRecursiveExitsFiveAndWithItSucceeds() {
        strand("mkdir", "-p", "/docs/d/e");

        assertThat(strand("rm", "/docs/d").code()).isEqualTo(5);
        assertThat(strand("rm", "-r", "/docs/d").code()).isZero();
        assertThat(server.exists("/docs/d")).isFalse();
    }

    @Test
    void aBadVolumeNameExitsSix() {
        Run run = strand("volume", "create", "-bad");

        assertThat(run.code()).isIn(2, 6); // picocli may read "-bad" as an unknown option
        assertThat(strand("volume", "create", "bad!name").code()).isEqualTo(6);
    }

    @Test
    void anUnreachableServerExitsNine() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        Run run = strandAt("127.0.0.1:" + port, "ls", "/");

        assertThat(run.code()).isEqualTo(9);
        assertThat(run.err()).startsWith("strand: cannot connect to 127.0.0.1:" + port).contains("(UNAVAILABLE)");
    }

    @Test
    void theWrongClusterExitsTen() {
        Run run = strand("--cluster", "elsewhere", "ls", "/");

        assertThat(run.code()).isEqualTo(10);
        assertThat(run.err()).contains("(WRONG_CLUSTER)");
    }

    @Test
    void eachPathIsTriedAndTheFirstFailureSetsTheExitCode() {
        strand("truncate", "-s", "0", "/docs/a", "/docs/b");

        Run run = strand("rm", "/docs/a", "/docs/missing", "/docs/b");

        assertThat(run.code()).isEqualTo(3);
        assertThat(server.exists("/docs/a")).isFalse();
        assertThat(server.exists("/docs/b")).isFalse();
    }

    @Test
    void mvMovesIntoADirectory() {
        strand("truncate", "-s", "0", "/docs/f");
        strand("mkdir", "/docs/d");

        assertThat(strand("mv", "/docs/f", "/docs/d").code()).isZero();

        assertThat(server.exists("/docs/d/f")).isTrue();
    }

    @Test
    void chmodAndHardLinksShowInStat() throws IOException {
        strand("truncate", "-s", "0", "/docs/f");
        strand("chmod", "600", "/docs/f");
        strand("ln", "/docs/f", "/docs/g");

        JsonNode stat = strand("stat", "--json", "/docs/g").json();

        assertThat(stat.get("mode").asText()).isEqualTo("0600");
        assertThat(stat.get("links").asInt()).isEqualTo(2);
    }

    @Test
    void aSymlinkIntoADirectoryIsNamedAfterItsTarget() {
        strand("mkdir", "/docs/d");
        strand("truncate", "-s", "0", "/docs/f");

        assertThat(strand("ln", "-s", "../f", "/docs/d").code()).isZero();

        assertThat(server.exists("/docs/d/f")).isTrue();
    }
}
