package dev.strand.actors;

import dev.strand.protocol.Opcode;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ProtocolTypeNamesTest {

    @Test
    void everyRequestAndReplyHasItsOwnNameAndNoneIsAJavaClassName() {
        Set<String> names = new HashSet<>();
        Set<Class<?>> types = new HashSet<>();
        for (Opcode op : Opcode.values()) {
            for (Class<?> type : new Class<?>[] {op.requestType(), op.replyType()}) {
                String name = ProtocolTypeNames.nameOf(type.getName());
                assertThat(name).as("the name of %s", type.getName()).isNotNull().doesNotContain(".");
                if (types.add(type)) {
                    assertThat(names.add(name)).as("%s is taken once only", name).isTrue();
                }
            }
        }
        assertThat(ProtocolTypeNames.nameOf(Opcode.CREATE.requestType().getName())).isEqualTo("CREATE");
    }
}
