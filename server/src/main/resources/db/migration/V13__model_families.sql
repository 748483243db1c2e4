-- A catalog model names its family: the chat template it is rendered with and the parser its output goes through.
-- 'chatml' was the Qwen model's template and 'gemma' the Gemma 2/3 turn format; the catalog's models are Qwen3
-- and Gemma 4, so they move to those families. Operators change a model's family with `portal admin model family`.
ALTER TABLE models DROP CONSTRAINT models_chat_template_check;
UPDATE models SET chat_template = 'qwen' WHERE chat_template = 'chatml';
UPDATE models SET chat_template = 'gemma-4' WHERE chat_template = 'gemma';
ALTER TABLE models ADD CONSTRAINT models_chat_template_check
    CHECK (chat_template IN ('qwen', 'gpt-oss', 'gemma-4', 'generic'));
