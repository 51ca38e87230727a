package dev.strand.volume;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Link;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Remove;
import dev.strand.protocol.message.Rename;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.RmDir;
import dev.strand.protocol.message.Symlink;
import dev.strand.protocol.message.Walk;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every operation that takes a name refuses the names the protocol forbids, before touching anything. */
class NameValidationTest {

    private static final List<Arguments> BAD_NAMES = List.of(
            Arguments.of("with '/'", "a/b", Status.BAD_NAME),
            Arguments.of("with NUL", "a\0b", Status.BAD_NAME),
            Arguments.of("'.'", ".", Status.BAD_NAME),
            Arguments.of("'..'", "..", Status.BAD_NAME),
            Arguments.of("empty", "", Status.BAD_NAME),
            Arguments.of("of 256 bytes", "n".repeat(256), Status.NAME_TOO_LONG));

    private static final List<Arguments> OPERATIONS = List.of(
            op("create", (dir, name) -> new Create(dir, name, 0644, true)),
            op("mkdir", (dir, name) -> new MkDir(dir, name, 0755)),
            op("symlink", (dir, name) -> new Symlink(dir, name, "target")),
            op("link", (dir, name) -> new Link(dir, name, new Fid(dir.volume(), 2, 2))),
            op("remove", Remove::new),
            op("rmdir", RmDir::new),
            op("rename from", (dir, name) -> new Rename(dir, name, dir, "x")),
            op("rename to", (dir, name) -> new Rename(dir, "existing", dir, name)));

    private static Arguments op(String name, BiFunction<Fid, String, Request> request) {
        return Arguments.of(name, request);
    }

    static Stream<Arguments> badNamesForEveryOperation() {
        return OPERATIONS.stream().flatMap(op -> BAD_NAMES.stream().map(bad -> Arguments.of(
                op.get()[0], bad.get()[0], op.get()[1], bad.get()[1], bad.get()[2])));
    }

    @ParameterizedTest(name = "{0} refuses a name {1}")
    @MethodSource("badNamesForEveryOperation")
    void mutationsRefuseBadNames(String operation, String description, BiFunction<Fid, String, Request> request,
                                 String badName, Status expected) {
        ModelVolume model = new ModelVolume();
        model.file(model.root(), "existing");
        int events = model.events.size();

        StrandException failure = catchThrowableOfType(StrandException.class,
                () -> model.execute(request.apply(model.root(), badName)));

        assertThat(failure.status()).isEqualTo(expected);
        assertThat(model.events).hasSize(events);
    }

    static Stream<Arguments> badWalkNames() {
        return BAD_NAMES.stream().filter(bad -> !List.of(".", "..").contains(bad.get()[1]));
    }

    @ParameterizedTest(name = "walk refuses a name {0}")
    @MethodSource("badWalkNames")
    void walkRefusesBadNames(String description, String badName, Status expected) {
        ModelVolume model = new ModelVolume();

        StrandException failure = catchThrowableOfType(StrandException.class,
                () -> model.execute(new Walk(model.root(), List.of(badName))));

        assertThat(failure.status()).isEqualTo(expected);
    }
}
