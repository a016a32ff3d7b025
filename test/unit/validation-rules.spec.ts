import 'reflect-metadata';
import { getMetadataStorage, IsInt, Length, MetadataStorage, validateSync } from 'class-validator';
import { ChatInput, MeetingInput, RecordChatActivityInput } from '../../src/activity/record-activity.input';
import { violationsOf } from '../../src/shared/validation';

// validation.ts keeps class-validator's per-class rule lookups (they rescan every registered class per call).
describe('memoized class-validator rule lookups', () => {
  const storage = getMetadataStorage();
  const uncached = (target: abstract new (...args: never[]) => unknown, groups?: string[]) =>
    MetadataStorage.prototype.getTargetValidationMetadatas.call(
      storage,
      target,
      undefined as unknown as string,
      false,
      false,
      groups,
    );

  it.each([RecordChatActivityInput, ChatInput, MeetingInput])(
    'answer %p as class-validator does, once computed',
    (target) => {
      const first = storage.getTargetValidationMetadatas(target, undefined as unknown as string, false, false);
      expect(first).toEqual(uncached(target));
      expect(first.length).toBeGreaterThan(0);
      expect(storage.getTargetValidationMetadatas(target, undefined as unknown as string, false, false)).toBe(first);
      expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
      // Other options are another entry, not the cached one.
      expect(
        storage.getTargetValidationMetadatas(target, undefined as unknown as string, false, false, ['other']),
      ).toEqual(uncached(target, ['other']));
    },
  );

  it('keep inherited rules, for classes defined after others were validated', () => {
    expect(
      violationsOf(Object.assign(new ChatInput(), { kind: 'DIALOGUE', id: '', name: 'x' })).map((v) => v.field),
    ).toEqual([['id'], ['id']]);
    class Base {
      @Length(1, 3)
      code!: string;
    }
    class Child extends Base {
      @IsInt()
      count!: number;
    }
    const child = Object.assign(new Child(), { code: 'too long', count: 1.5 });
    expect(
      validateSync(child)
        .map((error) => error.property)
        .sort(),
    ).toEqual(['code', 'count']);
    expect(validateSync(Object.assign(new Child(), { code: 'ok', count: 2 }))).toEqual([]);
    expect(validateSync(Object.assign(new Base(), { code: 'too long' })).map((error) => error.property)).toEqual([
      'code',
    ]);
  });
});
