package dev.strand.client;

import dev.strand.protocol.error.BadNameException;
import dev.strand.protocol.error.BadVolumeNameException;
import dev.strand.protocol.error.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrandPathTest {

    @Test
    void theFirstComponentIsTheVolume() {
        StrandPath p = StrandPath.parse("/docs/a/b.txt");
        assertThat(p.volume()).isEqualTo("docs");
        assertThat(p.names()).containsExactly("a", "b.txt");
        assertThat(p.name()).isEqualTo("b.txt");
        assertThat(p.parent()).hasToString("/docs/a");
    }

    @Test
    void emptyAndDotComponentsAreDroppedAndDotDotIsLexical() {
        assertThat(StrandPath.parse("//docs/./a//b/../c")).hasToString("/docs/a/c");
        assertThat(StrandPath.parse("/docs/../../x")).hasToString("/x");
        assertThat(StrandPath.parse("/")).matches(StrandPath::isRoot);
    }

    @Test
    void aTrailingSlashIsRemembered() {
        assertThat(StrandPath.parse("/docs/a/").trailingSlash()).isTrue();
        assertThat(StrandPath.parse("/docs/a").trailingSlash()).isFalse();
    }

    @Test
    void aRelativeSymlinkTargetResolvesFromTheLinksDirectory() {
        StrandPath dir = StrandPath.parse("/docs/a/b");
        assertThat(dir.resolve("../c/d")).hasToString("/docs/a/c/d");
        assertThat(dir.resolve("/other/x")).hasToString("/other/x");
        assertThat(dir.resolve("e").append(List.of("f"))).hasToString("/docs/a/b/e/f");
    }

    @Test
    void aRelativePathIsRefused() {
        assertThatThrownBy(() -> StrandPath.parse("docs/a")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void componentsAreCheckedWithTheProtocolsNameRules() {
        assertThatThrownBy(() -> StrandPath.parse("/-bad/a")).isInstanceOf(BadVolumeNameException.class);
        assertThatThrownBy(() -> StrandPath.parse("/docs/a\0b")).isInstanceOf(BadNameException.class);
    }
}
