import type { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import type { Answer } from '../../knowledge/types.js';

/** The playbook Q&A skill: a question about running the shop in, a cited answer out. */
export const name = 'playbook-qa';

/** The services this skill needs from the runtime. */
export const requires = ['knowledge'] as const;

export interface PlaybookQaServices {
  readonly knowledge: KnowledgeBase;
}

/** The reply a person reads in a chat: the answer, which already names its sources. */
export function replyText(answer: Answer): string {
  return answer.answer;
}

/** Answers `question` from the playbook; invalid questions throw a UserFacingError with the reply to give. */
export async function handle(question: string, services: PlaybookQaServices): Promise<{ answer: Answer; reply: string }> {
  const answer = await services.knowledge.ask(question);
  return { answer, reply: replyText(answer) };
}
