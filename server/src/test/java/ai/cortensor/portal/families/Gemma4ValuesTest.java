package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Gemma's value syntax: the template's format_argument, and the model's arguments back to JSON. */
class Gemma4ValuesTest {
    static JsonNode json(String s) {
        return Vectors.parse(s);
    }

    @Test
    void formatsLikeTheTemplatesFormatArgument() {
        assertThat(Gemma4Values.format(json("{\"b\": \"x\", \"a\": [1, 2.5, true, null, {\"Z\": 1, \"y\": \"q\"}]}")))
                .isEqualTo("{a:[1,2.5,true,null,{y:<|\"|>q<|\"|>,Z:1}],b:<|\"|>x<|\"|>}");
        JsonNode numbers = json("{\"k\": 1e16, \"f\": 1.0, \"s\": 0.0001}");
        assertThat(Gemma4Values.format(numbers, true, UnaryOperator.identity()))
                .isEqualTo("{<|\"|>f<|\"|>:1.0,<|\"|>k<|\"|>:1e+16,<|\"|>s<|\"|>:0.0001}");
        assertThat(Gemma4Values.format(json("\"say \\\"hi\\\"\\n\""))).isEqualTo("<|\"|>say \"hi\"\n<|\"|>");
    }

    @Test
    void dictsortIsCaseInsensitiveAndStable() {
        assertThat(Gemma4Values.dictsort(json("{\"b\": 1, \"B\": 2, \"a\": 3, \"_x\": 4, \"A1\": 5}")))
                .extracting(java.util.Map.Entry::getKey).containsExactly("_x", "a", "A1", "b", "B");
    }

    @Test
    void convertsTheModelsArgumentsToJson() {
        assertThat(Gemma4Values.toJson("{location:<|\"|>London<|\"|>}")).isEqualTo("{\"location\": \"London\"}");
        assertThat(Gemma4Values.toJson("{nested:{inner:<|\"|>value<|\"|>},list:[<|\"|>a<|\"|>,<|\"|>b<|\"|>]}"))
                .isEqualTo("{\"nested\": {\"inner\": \"value\"}, \"list\": [\"a\", \"b\"]}");
        assertThat(Gemma4Values.toJson("{is_active:true,count:42,score:3.14,note:null,neg:-1e-5}"))
                .isEqualTo("{\"is_active\": true, \"count\": 42, \"score\": 3.14, \"note\": null, \"neg\": -1e-5}");
        assertThat(Gemma4Values.toJson("{ a : 1 , <|\"|>quoted key<|\"|>: [ [1], {} , [] ], }"))
                .isEqualTo("{\"a\": 1, \"quoted key\": [[1], {}, []]}");
        assertThat(Gemma4Values.toJson("{s:<|\"|>a<|b \"c\" \\ {x}\n<|\"|>}"))
                .isEqualTo("{\"s\": \"a<|b \\\"c\\\" \\\\ {x}\\n\"}");
    }

    @Test
    void bareWordsAreReadLeniently() {
        assertThat(Gemma4Values.toJson("{unit:celsius,time:21:04,x:None,y:007}"))
                .isEqualTo("{\"unit\": \"celsius\", \"time\": \"21:04\", \"x\": null, \"y\": \"007\"}");
    }

    @Test
    void rejectsWhatIsNotOneObject() {
        for (String bad : List.of("", "{", "{a:1", "{a:}", "{a:1]", "[1]", "{a:1}}", "{a:<|\"|>x}", "{a:1<eos>}",
                "{a:{b:1}", "{a b}")) {
            assertThatThrownBy(() -> Gemma4Values.toJson(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void formatAndToJsonRoundTrip() {
        JsonNode v = json("{\"to\": \"Zoë\", \"body\": \"Meeting \\\"B<2>\\\".\\nBring 日本語.\","
                + " \"tags\": [\"w\", \"u\"],"
                + " \"n\": {\"deep\": [1, -2.5, false, null, {\"k\": \"v\"}]}, \"big\": 12345678901234567890}");
        assertThat(json(Gemma4Values.toJson(Gemma4Values.format(v)))).isEqualTo(v);
    }

    @Test
    void theRestartPointOfAFailedConversionIsTheFirstCharacterNotPartOfIt() {
        Gemma4ArgsConverter c = new Gemma4ArgsConverter();
        String s = "{a:<|tool_call>";
        for (int i = 0; i < s.length() && !c.failed(); i++) {
            c.accept(s.charAt(i));
        }
        assertThat(c.failed()).isTrue();
        assertThat(c.restart()).isEqualTo(3); // the '<' that opened what was not a <|"|>
    }

    @Test
    void trimUsesPythonsWhitespace() {
        assertThat(Gemma4Values.trim("\u00a0\u3000 x \u2028\u001f")).isEqualTo("x");
        assertThat(Gemma4Values.trim("\u2060x\u200b")).isEqualTo("\u2060x\u200b");
    }

    @Test
    void stripThinkingDropsEchoedThoughtBlocksLikeTheTemplate() {
        assertThat(Gemma4Renderer.stripThinking(" <|channel>thought\nhm<channel|>Answer <channel|>!"))
                .isEqualTo("Answer !");
        assertThat(Gemma4Renderer.stripThinking("a<|channel>unterminated")).isEqualTo("a");
    }
}
