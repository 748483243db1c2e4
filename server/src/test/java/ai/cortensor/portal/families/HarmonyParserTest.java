package ai.cortensor.portal.families;

import static ai.cortensor.portal.families.HarmonyOutputsTest.WITH_TOOLS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The streaming harmony parser beyond the vectors: layouts, streaming, ends, and text that is not well formed. */
class HarmonyParserTest {
    private static ParsedOutput parse(String raw) {
        return ParsedOutput.parse(Families.GPT_OSS, WITH_TOOLS, raw, false);
    }

    private static HarmonyOutputsTest.Events events(String raw) {
        return HarmonyOutputsTest.Events.of(WITH_TOOLS, List.of(raw));
    }

    @Test
    void aRecipientInTheRoleHeaderWithoutContentTypeIsACall() {
        ParsedOutput out = parse("<|channel|>analysis<|message|>go<|end|><|start|>assistant to=functions.get_time"
                + "<|channel|>commentary<|message|>{\"timezone\": \"UTC\"}<|call|>");
        assertThat(out.toolCalls()).containsExactly(new ParsedOutput.Call("get_time", "{\"timezone\": \"UTC\"}"));
        assertThat(out.reasoning()).isEqualTo("go");
    }

    @Test
    void theFirstMessageMayPutItsRecipientRightAfterTheGenerationPrompt() {
        ParsedOutput out = parse(" to=functions.get_time<|channel|>commentary json<|message|>{}<|call|>");
        assertThat(out.toolCalls()).containsExactly(new ParsedOutput.Call("get_time", "{}"));
    }

    @Test
    void aPreambleAndAFinalAnswerAreBothContentJoinedByABlankLine() {
        ParsedOutput out = parse("<|channel|>commentary<|message|>Checking.<|end|><|start|>assistant"
                + "<|channel|>final<|message|>Done.<|return|>");
        assertThat(out.content()).isEqualTo("Checking.\n\nDone.");
    }

    @Test
    void argumentsStreamAsTheyArriveAndOnlyAPossibleTagIsHeldBack() {
        List<String> log = new ArrayList<>();
        OutputSink sink = new OutputSink() {
            @Override
            public void reasoning(String d) {
                log.add("r:" + d);
            }

            @Override
            public void content(String d) {
                log.add("c:" + d);
            }

            @Override
            public void toolCallStart(int index, String name) {
                log.add("start:" + index + ":" + name);
            }

            @Override
            public void toolCallArguments(int index, String d) {
                log.add("a:" + index + ":" + d);
            }
        };
        OutputParser p = Families.GPT_OSS.parser(WITH_TOOLS);
        p.feed("<|channel|>final<|message|>Hello <|", sink);
        assertThat(log).containsExactly("c:Hello ");
        p.feed("end|><|start|>assistant<|channel|>commentary to=functions.get_time json<|message|>{\"tz\"", sink);
        assertThat(log).containsExactly("c:Hello ", "start:0:get_time", "a:0:{\"tz\"");
        p.feed(": 1}<|ca", sink);
        assertThat(log).endsWith("a:0:: 1}");
        assertThat(p.ended()).isFalse();
        p.feed("ll|>", sink);
        assertThat(p.ended()).isTrue();
        p.finish(sink);
        assertThat(log).hasSize(4);
    }

    @Test
    void returnEndsTheTurnAndLaterTextIsIgnored() {
        OutputParser p = Families.GPT_OSS.parser(WITH_TOOLS);
        ParsedOutput.Collector c = new ParsedOutput.Collector();
        p.feed("<|channel|>final<|message|>yes<|return|>", c);
        assertThat(p.ended()).isTrue();
        p.feed("<|start|>assistant<|channel|>final<|message|>more", c);
        p.finish(c);
        assertThat(c.result(false).content()).isEqualTo("yes");
    }

    @Test
    void aCallEndsTheTurnUnlessTheRouterGoesOnWithAnotherMessage() {
        OutputParser p = Families.GPT_OSS.parser(WITH_TOOLS);
        ParsedOutput.Collector c = new ParsedOutput.Collector();
        p.feed("<|channel|>commentary to=functions.a json<|message|>{}<|call|>", c);
        assertThat(p.ended()).isTrue();
        p.feed("stray text", c);
        p.feed("<|start|>assistant<|channel|>commentary to=functions.b json<|message|>{}", c);
        assertThat(p.ended()).isFalse();
        p.finish(c);
        assertThat(c.result(false).toolCalls()).extracting(ParsedOutput.Call::name).containsExactly("a", "b");
    }

    @Test
    void aCompletionCutInsideTheNextHeaderAddsNothing() {
        for (String cut : List.of("<|start|>assistant", "<|start|>assistant<|channel|>fin", "<|start|>assistant to=func",
                "<|start|>")) {
            ParsedOutput out = ParsedOutput.parse(Families.GPT_OSS, WITH_TOOLS,
                    "<|channel|>analysis<|message|>think<|end|>" + cut, true);
            assertThat(out.content()).as(cut).isNull();
            assertThat(out.reasoning()).isEqualTo("think");
            assertThat(out.finishReason()).isEqualTo("length");
        }
    }

    @Test
    void textWithoutAnyMarkupIsContent() {
        assertThat(parse("Paris is the capital of France.").content()).isEqualTo("Paris is the capital of France.");
        assertThat(parse("<b>bold</b> a<|b").content()).isEqualTo("<b>bold</b> a<|b");
        assertThat(parse("to").content()).isEqualTo("to");
        assertThat(parse("an").content()).isEqualTo("an");
    }

    @Test
    void markupStrippedByTheDetokeniserStillSplitsReasoningFromTheAnswer() {
        ParsedOutput out = parse("analysisUser asks 2+2. Easy.assistantfinal2 + 2 = 4.");
        assertThat(out.reasoning()).isEqualTo("User asks 2+2. Easy.");
        assertThat(out.content()).isEqualTo("2 + 2 = 4.");
        assertThat(parse("analysisStill thinking assistantfin").reasoning()).isEqualTo("Still thinking assistantfin");
    }

    @Test
    void malformedMarkupIsReadAsWellAsPossible() {
        // <|channel|> inside a body starts the next message; stray <|message|> / <|constrain|> in a body are dropped
        ParsedOutput a = parse("<|channel|>analysis<|message|>a<|constrain|>b<|channel|>final<|message|>c<|message|>d");
        assertThat(a.reasoning()).isEqualTo("ab");
        assertThat(a.content()).isEqualTo("cd");
        // a lost <|start|> between messages
        assertThat(parse("<|channel|>analysis<|message|>x<|end|>assistant<|channel|>final<|message|>y").content())
                .isEqualTo("y");
        // text between messages that is no header
        assertThat(parse("<|channel|>final<|message|>x<|end|> trailing words").content()).isEqualTo("x\n\ntrailing words");
        // a header that never ends is text after all
        String longText = "word ".repeat(100);
        assertThat(parse("<|channel|>final<|message|>x<|end|>" + longText).content()).isEqualTo("x\n\n" + longText.strip());
        // a message without header
        assertThat(parse("<|message|>hi<|return|>").content()).isEqualTo("hi");
        assertThat(parse("<|start|>assistant<|channel|>final<|message|>hi").content()).isEqualTo("hi");
    }

    @Test
    void aFunctionsRecipientWithoutNameIsNoCall() {
        ParsedOutput out = parse("<|channel|>commentary to=functions. json<|message|>{}<|call|>");
        assertThat(out.toolCalls()).isEmpty();
        assertThat(out.content()).isEqualTo("{}");
    }

    /** Random soups of tags, headers and text: never throw, always finish, and agree under random splits. */
    @Test
    void randomMarkupNeverThrowsAndIsSplitInvariant() {
        String[] parts = {"<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|return|>",
                "<|call|>", "<|endoftext|>", "assistant", " to=functions.f", "to=functions.g", " json", "analysis",
                "final", "commentary", "assistantfinal", "<|", "|>", "<", "x", " ", "{\"a\": 1}", "\n", "é🚀", "<|st"};
        Random rnd = new Random(42);
        for (int n = 0; n < 3000; n++) {
            StringBuilder b = new StringBuilder();
            for (int k = rnd.nextInt(12); k >= 0; k--) {
                b.append(parts[rnd.nextInt(parts.length)]);
            }
            String raw = b.toString();
            HarmonyOutputsTest.Events whole = events(raw);
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < raw.length(); ) {
                int j = Math.min(raw.length(), i + 1 + rnd.nextInt(4));
                if (j < raw.length() && Character.isLowSurrogate(raw.charAt(j))) {
                    j++;
                }
                pieces.add(raw.substring(i, j));
                i = j;
            }
            assertThat(HarmonyOutputsTest.Events.of(WITH_TOOLS, pieces)).as(raw).isEqualTo(whole);
            assertThat(HarmonyOutputsTest.streamed(WITH_TOOLS, pieces, false)).as(raw)
                    .isEqualTo(ParsedOutput.parse(Families.GPT_OSS, WITH_TOOLS, raw, false));
        }
    }
}
