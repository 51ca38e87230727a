package dev.strand.cli;

import com.typesafe.config.ConfigFactory;
import dev.strand.client.BlockingStrandClient;
import dev.strand.client.testing.RealServer;
import dev.strand.client.testing.ScriptedServer;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeList;
import dev.strand.protocol.message.VolumeListReply;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** What the strand command shows of answers that need a server in a particular state. */
class ServerAnswersCliTest {

    record Run(int code, String out, String err) {}

    private static Run strand(String server, String... args) {
        CommandLine commandLine = StrandCommand.commandLine(new StrandCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        all[0] = "--server";
        all[1] = server;
        System.arraycopy(args, 0, all, 2, args.length);
        int code = commandLine.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aServerAtItsConnectionLimitIsReportedWithItsMessageAndStatus() throws Exception {
        try (RealServer server = RealServer.start(ConfigFactory.parseString("strand.connections.max-connections = 1"));
             BlockingStrandClient holding = BlockingStrandClient.connect(server.settings())) {

            Run run = strand(server.address(), "ls", "/");

            assertThat(run.code()).isEqualTo(ExitCodes.UNAVAILABLE);
            assertThat(run.err()).contains("closed by the server").contains("connections open, its limit")
                    .endsWith("(UNAVAILABLE)" + System.lineSeparator());
            assertThat(holding.volumeList()).as("the open connection carries on").isNotNull();
        }
    }

    @Test
    void volumeListShowsEveryPage() throws Exception {
        try (ScriptedServer server = new ScriptedServer()) {
            CompletableFuture<Run> run = CompletableFuture.supplyAsync(() ->
                    strand(server.settings().server().toString(), "volume", "list"));

            var first = server.next();
            server.reply(first, new VolumeListReply(List.of(volume("a", 1), volume("b", 2)), true));
            var second = server.next();
            assertThat(ScriptedServer.request(second)).isEqualTo(new VolumeList("b", 0));
            server.reply(second, new VolumeListReply(List.of(volume("c", 3)), false));
            server.reply(server.next(), Empty.INSTANCE); // the farewell

            Run done = run.join();
            assertThat(done.code()).isZero();
            assertThat(done.out().lines().skip(1).map(line -> line.split(" ")[0]).toList())
                    .containsExactly("a", "b", "c");
        }
    }

    private static VolumeInfo volume(String name, long id) {
        return new VolumeInfo(name, id, Fid.root(id), 1, 1, -1, -1, -1, -1, List.of());
    }
}
